/* The watch page's behaviour: no framework, no network.
 *
 * - the chapter list and the transcript follow the video (the current entry and cue
 *   are marked aria-current and highlighted; the transcript keeps the cue in view
 *   unless the reader is scrolling it or turned "Follow the video" off);
 * - clicking (or Enter on) a chapter or a cue seeks there;
 * - keyboard: Space/K, arrows, J/L, C, M, F (see the page's "Keyboard shortcuts");
 *   arrows move between cues inside the transcript (one tab stop, roving focus);
 * - where the browser will not read the .vtt files (Chromium on file://) the tracks
 *   are rebuilt from the cues embedded in the page;
 * - served by `render.py serve`, the page reloads when a render finishes and comes
 *   back at the same moment of the video.
 */
(function () {
  "use strict";

  var video = document.getElementById("video");
  if (!video) return;
  var data = JSON.parse(document.getElementById("player-data").textContent);
  var sections = Array.prototype.slice.call(document.querySelectorAll("a.section"));
  var cues = Array.prototype.slice.call(document.querySelectorAll("a.cue"));
  var body = document.getElementById("transcript-body");
  var followButton = document.getElementById("follow");
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var cueStarts = cues.map(function (a) { return parseFloat(a.dataset.start); });
  var sectionStarts = sections.map(function (a) { return parseFloat(a.dataset.start); });
  var EPSILON = 0.005;

  // ------------------------------------------------------------------ tracks

  function escapeCueText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function rebuildTrack(element) {
    // the same cues as the file, from the page itself
    var kind = element.kind;
    var label = element.label;
    var rows = kind === "chapters" ? data.sections : data.cues;
    element.parentNode.removeChild(element);
    var track = video.addTextTrack(kind, label, "en");
    rows.forEach(function (row) {
      track.addCue(new VTTCue(row[0], row[1], escapeCueText(row[2])));
    });
    track.mode = kind === "captions" ? "showing" : "hidden";
  }

  Array.prototype.forEach.call(video.querySelectorAll("track"), function (element) {
    if (element.kind === "chapters" && element.track) element.track.mode = "hidden";
    if (element.readyState === 3) {
      rebuildTrack(element);
    } else {
      element.addEventListener("error", function () { rebuildTrack(element); }, { once: true });
    }
  });

  function captionsTrack() {
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].kind === "captions") return video.textTracks[i];
    }
    return null;
  }

  // ------------------------------------------------------------------ where we are

  function lastStartedBefore(starts, t) {
    // index of the last start <= t, or -1
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + EPSILON) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  var currentCue = -1;
  var currentSection = -1;

  function mark(list, before, now) {
    if (before >= 0) list[before].removeAttribute("aria-current");
    if (now >= 0) list[now].setAttribute("aria-current", list === cues ? "time" : "true");
  }

  function update() {
    var t = video.currentTime;
    var c = lastStartedBefore(cueStarts, t);
    if (c !== currentCue) {
      mark(cues, currentCue, c);
      currentCue = c;
      if (c >= 0) {
        if (!body.contains(document.activeElement)) setTabStop(c);
        keepInView(cues[c]);
      }
    }
    var s = lastStartedBefore(sectionStarts, t);
    if (s !== currentSection) {
      if (currentSection >= 0) sections[currentSection].style.removeProperty("--progress");
      mark(sections, currentSection, s);
      currentSection = s;
    }
    if (s >= 0) {
      var start = sectionStarts[s];
      var end = parseFloat(sections[s].dataset.end);
      var progress = Math.min(1, Math.max(0, (t - start) / Math.max(end - start, 0.001)));
      sections[s].style.setProperty("--progress", progress.toFixed(4));
    }
  }

  var ticking = false;
  function tick() {
    update();
    if (!video.paused && !video.ended) {
      window.requestAnimationFrame(tick);
    } else {
      ticking = false;
    }
  }
  video.addEventListener("play", function () {
    if (!ticking) { ticking = true; window.requestAnimationFrame(tick); }
  });
  ["timeupdate", "seeking", "seeked", "loadedmetadata", "pause", "ended"].forEach(function (name) {
    video.addEventListener(name, update);
  });

  // ------------------------------------------------------------------ keeping the cue in view

  var following = true;
  var readerScrolledAt = 0;

  function setFollowing(on) {
    following = on;
    followButton.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      readerScrolledAt = 0;
      if (currentCue >= 0) keepInView(cues[currentCue], true);
    }
  }
  followButton.addEventListener("click", function () { setFollowing(!following); });

  var resizing = null;
  window.addEventListener("resize", function () {
    // a new layout moves the transcript: bring the current cue back into view
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      if (currentCue >= 0) keepInView(cues[currentCue], true);
    }, 150);
  });

  ["wheel", "touchmove"].forEach(function (name) {
    body.addEventListener(name, function () { readerScrolledAt = Date.now(); }, { passive: true });
  });

  function keepInView(element, now) {
    if (!following) return;
    if (!now && Date.now() - readerScrolledAt < 4000) return; // the reader is looking elsewhere
    var box = body.getBoundingClientRect();
    var where = element.getBoundingClientRect();
    if (box.height === 0) return;
    var top = where.top - box.top;
    if (!now && top > box.height * 0.12 && where.bottom - box.top < box.height * 0.7) return;
    body.scrollTo({
      top: body.scrollTop + top - box.height * 0.3,
      behavior: reduceMotion.matches ? "auto" : "smooth",
    });
  }

  // ------------------------------------------------------------------ seeking

  function seek(seconds) {
    var limit = isFinite(video.duration) ? video.duration : seconds;
    video.currentTime = Math.max(0, Math.min(seconds, limit));
    update();
  }

  sections.forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      seek(parseFloat(link.dataset.start));
    });
  });

  cues.forEach(function (link, index) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      setTabStop(index);
      seek(parseFloat(link.dataset.start));
    });
  });

  // #t=83.2 in the address opens the video there
  function seekToHash() {
    var match = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (match) seek(parseFloat(match[1]));
  }
  window.addEventListener("hashchange", seekToHash);

  // ------------------------------------------------------------------ keyboard

  function setTabStop(index) {
    cues.forEach(function (link, i) { link.tabIndex = i === index ? 0 : -1; });
  }

  function moveInTranscript(event) {
    var index = cues.indexOf(event.target);
    if (index < 0) return false;
    var next = null;
    if (event.key === "ArrowDown" || event.key === "ArrowRight") next = Math.min(index + 1, cues.length - 1);
    else if (event.key === "ArrowUp" || event.key === "ArrowLeft") next = Math.max(index - 1, 0);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = cues.length - 1;
    if (next === null) return false;
    setTabStop(next);
    cues[next].focus();
    return true;
  }

  function togglePlay() {
    if (video.paused || video.ended) {
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () {});
    } else {
      video.pause();
    }
  }

  function skip(seconds) {
    seek(video.currentTime + seconds);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var tag = target.tagName;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || target.isContentEditable) return;
    if (moveInTranscript(event)) { event.preventDefault(); return; }
    var activates = tag === "BUTTON" || tag === "SUMMARY";
    switch (event.key) {
      case " ":
      case "Spacebar":
        // buttons are pressed with Space; a focused <video> plays and pauses by itself
        if (activates || target === video) return;
        togglePlay();
        break;
      case "k":
      case "K":
        togglePlay();
        break;
      case "ArrowLeft":
        skip(-5);
        break;
      case "ArrowRight":
        skip(5);
        break;
      case "j":
      case "J":
        skip(-10);
        break;
      case "l":
      case "L":
        skip(10);
        break;
      case "c":
      case "C": {
        var track = captionsTrack();
        if (track) track.mode = track.mode === "showing" ? "hidden" : "showing";
        break;
      }
      case "m":
      case "M":
        video.muted = !video.muted;
        break;
      case "f":
      case "F":
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else if (video.requestFullscreen) {
          video.requestFullscreen().catch(function () {});
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // ------------------------------------------------------------------ live reload (render.py serve)

  var storeKey = "nanochat-explained:" + window.location.pathname;

  function remember() {
    try {
      window.sessionStorage.setItem(storeKey, String(video.currentTime));
    } catch (error) { /* storage refused: start from the top */ }
  }

  function restore() {
    var saved = null;
    try {
      saved = window.sessionStorage.getItem(storeKey);
      window.sessionStorage.removeItem(storeKey);
    } catch (error) { return false; }
    if (saved === null) return false;
    seek(parseFloat(saved));
    return true;
  }

  function start() {
    if (!restore()) seekToHash();
    update();
  }
  if (video.readyState >= 1) start(); else video.addEventListener("loadedmetadata", start, { once: true });
  update();

  var events = null;
  var seen = null;

  function listen() {
    // one connection per open page: closed when the page is left (a page kept for
    // "back" would otherwise hold it, and browsers allow only six per server)
    if (events || !/^https?:$/.test(window.location.protocol) || !window.EventSource) return;
    events = new EventSource("__events");
    events.addEventListener("build", function (event) {
      if (seen === null) { seen = event.data; return; }
      if (event.data !== seen) {
        events.close();
        remember();
        window.location.reload();
      }
    });
  }

  window.addEventListener("pagehide", function () {
    if (events) { events.close(); events = null; }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) listen();
  });
  listen();
})();
