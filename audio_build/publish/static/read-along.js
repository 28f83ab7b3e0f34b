/* Progressive enhancement for the audio player: speed buttons, jump-to-section, read-along highlight.
   The page works fully without this script; nothing here loads anything from anywhere. */
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var tools = document.querySelector(".player-tools");
  if (tools) { tools.hidden = false; }

  var buttons = Array.prototype.slice.call(document.querySelectorAll(".speeds button"));
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      player.playbackRate = parseFloat(button.getAttribute("data-rate")) || 1;
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".chapters a[data-start]"), function (link) {
    link.addEventListener("click", function () {
      var start = parseFloat(link.getAttribute("data-start"));
      if (!isNaN(start)) {
        player.currentTime = start;
      }
    });
  });

  var spans = Array.prototype.slice.call(document.querySelectorAll(".s[data-begin]")).map(function (el) {
    return { el: el, begin: parseFloat(el.getAttribute("data-begin")), end: parseFloat(el.getAttribute("data-end")) };
  }).sort(function (a, b) { return a.begin - b.begin; });

  var toggle = document.getElementById("follow-along");
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var stored = null;
  try { stored = window.localStorage.getItem("audio-build-follow"); } catch (e) { stored = null; }
  var following = stored === null ? !reduced : stored === "on";
  if (toggle) {
    toggle.checked = following;
    toggle.addEventListener("change", function () {
      following = toggle.checked;
      try { window.localStorage.setItem("audio-build-follow", following ? "on" : "off"); } catch (e) { /* private mode */ }
      if (!following) { highlight(null); } else { update(); }
    });
  }

  var current = null;
  function highlight(item) {
    if (current === item) { return; }
    if (current) { current.el.classList.remove("reading"); }
    current = item;
    if (item) {
      item.el.classList.add("reading");
      if (!reduced && !player.paused) {
        var box = item.el.getBoundingClientRect();
        if (box.top < 0 || box.bottom > window.innerHeight) {
          item.el.scrollIntoView({ block: "center", behavior: "smooth" });
        }
      }
    }
  }

  function find(time) {
    var lo = 0, hi = spans.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (time < spans[mid].begin) { hi = mid - 1; }
      else if (time >= spans[mid].end) { lo = mid + 1; }
      else { return spans[mid]; }
    }
    return null;
  }

  function update() {
    if (!following) { return; }
    highlight(find(player.currentTime));
  }

  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);
  window.audioBuildReadAlong = { find: find, update: update };
})();
