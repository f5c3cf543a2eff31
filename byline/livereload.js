// Byline preview: live reload and the build-error overlay.
//
// Injected by the preview server into every HTML response (never written into built
// files). One file, two roles:
//  - in a page, it listens for build news and reloads, swaps stylesheets or shows the
//    overlay;
//  - as a SharedWorker, it holds the single Server-Sent Events connection that every
//    open tab shares, because HTTP/1.1 browsers allow only six connections per host and
//    a seventh preview tab would otherwise stall.
// Each message is the server's state: {build, previous, css, overlay}. `build` names the
// build being served; a page knows the build it came from (data-build on its script tag).
"use strict";

const EVENTS = "/_byline/events";

if (typeof SharedWorkerGlobalScope !== "undefined" && self instanceof SharedWorkerGlobalScope) {
  const ports = new Set();
  let last = null;
  const source = new EventSource(EVENTS);
  source.onmessage = (event) => {
    last = event.data;
    for (const port of ports) port.postMessage(last);
  };
  self.onconnect = (event) => {
    const port = event.ports[0];
    ports.add(port);
    port.onmessage = (message) => {
      if (message.data === "bye") ports.delete(port);
    };
    if (last !== null) port.postMessage(last);
  };
} else {
  (() => {
    const script = document.currentScript;
    let build = script ? script.dataset.build : "";
    let dismissed = null;
    let overlay = null;
    // For tests and tools: which build this page shows, and whether build news reaches it.
    const status = (window.bylinePreview = { build, listening: false });

    function showOverlay(html) {
      if (!html || html === dismissed) {
        if (overlay) overlay.remove();
        overlay = null;
        if (!html) dismissed = null;
        return;
      }
      if (!overlay) {
        overlay = document.createElement("div");
        overlay.id = "byline-overlay";
        overlay.attachShadow({ mode: "open" });
      }
      overlay.shadowRoot.innerHTML = html;
      const dismiss = overlay.shadowRoot.querySelector("[data-byline-dismiss]");
      if (dismiss) dismiss.onclick = () => showOverlay((dismissed = html));
      if (!overlay.isConnected) document.documentElement.appendChild(overlay);
    }

    function swapStylesheets(token) {
      for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
        const url = new URL(link.href, location.href);
        if (url.origin !== location.origin) continue;
        url.searchParams.set("byline", token);
        const fresh = link.cloneNode();
        fresh.href = url.href;
        // Keep the old sheet until the new one has loaded, so nothing flashes unstyled.
        fresh.onload = fresh.onerror = () => link.remove();
        link.after(fresh);
      }
    }

    function receive(text) {
      const state = JSON.parse(text);
      status.listening = true;
      showOverlay(state.overlay);
      if (state.build === build) return;
      if (state.css && state.previous === build) {
        swapStylesheets(state.build);
        build = status.build = state.build;
        return;
      }
      location.reload();
    }

    function connect() {
      if (typeof SharedWorker !== "undefined") {
        try {
          const worker = new SharedWorker(script.src, { name: "byline-livereload" });
          worker.port.onmessage = (event) => receive(event.data);
          worker.port.start();
          addEventListener("pagehide", () => worker.port.postMessage("bye"), { once: true });
          return;
        } catch (error) {
          // Fall back to a connection of this page's own.
        }
      }
      const source = new EventSource(EVENTS);
      source.onmessage = (event) => receive(event.data);
      addEventListener("pagehide", () => source.close(), { once: true });
    }

    addEventListener("pageshow", (event) => {
      if (event.persisted) connect(); // restored from the back/forward cache: listen again
    });
    connect();
  })();
}
