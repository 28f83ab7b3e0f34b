"""Running a build: planning from content hashes, audio jobs on local workers or Dask, and the preview
server. The stages themselves live in the other packages; this one wires them together."""
