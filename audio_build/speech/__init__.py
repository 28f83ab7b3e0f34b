"""What is said and who says it: speech scripts from localized documents, pronunciation lexicons, and the
speech engines behind one registry."""
