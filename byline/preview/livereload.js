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

    // Restyle in place: the page's stylesheet links are replaced by the ones the new build
    // gives this page (asset names may carry a content hash, so the old URL can be gone).
    // Each old sheet stays until its successor has loaded, so nothing flashes unstyled.
    async function swapStylesheets(token) {
      const response = await fetch(location.href, { cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const wanted = [...fresh.querySelectorAll('link[rel~="stylesheet"]')];
      const current = [...document.querySelectorAll('link[rel~="stylesheet"]')];
      if (!response.ok || wanted.length !== current.length) throw new Error("the page's stylesheets changed");
      current.forEach((link, index) => {
        const next = document.importNode(wanted[index], true);
        const url = new URL(next.getAttribute("href"), location.href);
        if (url.origin === location.origin) url.searchParams.set("byline", token); // never a cached copy
        next.href = url.href;
        next.onload = next.onerror = () => link.remove();
        link.after(next);
      });
    }

    // Leaving already (the preview bar's switch posts a form and waits for its build):
    // a reload now would cancel that navigation.
    let leaving = false;
    addEventListener("beforeunload", () => {
      leaving = true;
    });
    addEventListener("pageshow", () => {
      leaving = false;
    });

    function receive(text) {
      const state = JSON.parse(text);
      status.listening = true;
      showOverlay(state.overlay);
      if (state.build === build || leaving) return;
      if (state.css && state.previous === build) {
        build = status.build = state.build;
        swapStylesheets(state.build).catch(() => location.reload());
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
