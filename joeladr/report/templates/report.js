// Play a quote's passage in the page, created only when the reader presses play.
(function () {
  "use strict";
  var current = null;

  function close() {
    if (!current) return;
    var slot = current.parentNode;
    current.remove();
    if (slot) slot.hidden = true;
    current = null;
  }

  function youtube(video, start) {
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + encodeURIComponent(video) +
      "?start=" + start + "&autoplay=1";
    frame.title = "YouTube player";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; web-share";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.allowFullscreen = true;
    return frame;
  }

  function media(url, start, kind) {
    var element = document.createElement(kind === "audio" ? "audio" : "video");
    element.controls = true;
    element.preload = "auto";
    element.src = url + "#t=" + start;
    element.addEventListener("loadedmetadata", function () {
      if (Math.abs(element.currentTime - start) > 0.5) element.currentTime = start;
      if (element.tagName === "VIDEO" && !element.videoWidth) element.classList.add("audio-only");
    }, { once: true });
    var playing = element.play();
    if (playing && playing.catch) playing.catch(function () { /* the reader presses play on the controls */ });
    return element;
  }

  function open(link) {
    var finding = link.closest(".finding");
    var slot = finding && finding.querySelector(".player");
    if (!slot) return false;
    close();
    var start = parseInt(link.getAttribute("data-start"), 10) || 0;
    var kind = link.getAttribute("data-kind");
    var file = link.getAttribute("data-media");
    var box = document.createElement("div");
    box.className = "player-box";
    var player = kind === "youtube"
      ? youtube(link.getAttribute("data-video"), start)
      : media(file, start, link.getAttribute("data-element"));
    box.appendChild(player);
    var links = document.createElement("p");
    links.className = "player-links";
    if (kind === "youtube") {
      var away = document.createElement("a");
      away.href = link.href;
      away.textContent = "Open on YouTube at " + link.textContent.replace("▶", "").trim();
      links.appendChild(away);
      if (file) {
        var offline = document.createElement("button");
        offline.type = "button";
        offline.textContent = "Play the downloaded audio instead";
        offline.addEventListener("click", function () {
          box.replaceChild(media(file, start, link.getAttribute("data-element")), box.firstChild);
          offline.remove();
        });
        links.appendChild(offline);
      }
    }
    var stop = document.createElement("button");
    stop.type = "button";
    stop.textContent = "Close the player";
    stop.addEventListener("click", function () { close(); link.focus(); });
    links.appendChild(stop);
    box.appendChild(links);
    slot.appendChild(box);
    slot.hidden = false;
    current = box;
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.play");
    if (!link) return;
    var kind = link.getAttribute("data-kind");
    if (kind !== "youtube" && kind !== "media") return; // a plain link opens the talk's page
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (open(link)) event.preventDefault();
  });
})();
