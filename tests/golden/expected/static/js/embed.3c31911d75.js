// Byline: click-to-load embeds (see byline/content/embeds.py).
// A page with a YouTube, Vimeo, X or LinkedIn link on a line of its own carries a facade:
// what it is, a hidden button and a link to the original. Nothing is fetched from the
// provider until the reader presses the button, which this script shows and wires: the
// press puts the provider's player, in a frame, in the facade's place.
"use strict";

(() => {
  // The only players a button may load: Byline writes these addresses, and nothing else.
  const PLAYERS = [
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/",
    "https://platform.twitter.com/embed/Tweet.html?",
    "https://www.linkedin.com/embed/feed/update/",
  ];

  function load(button) {
    const frame = document.createElement("iframe");
    frame.className = "embed-frame";
    frame.src = button.dataset.embedSrc;
    frame.title = button.dataset.embedTitle || "Embedded content";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    button.closest(".embed-box").replaceWith(frame);
    frame.focus();
  }

  for (const button of document.querySelectorAll("button.embed-load[data-embed-src]")) {
    if (!PLAYERS.some((player) => button.dataset.embedSrc.startsWith(player))) continue;
    button.addEventListener("click", () => load(button), { once: true });
    button.hidden = false;
  }
})();
