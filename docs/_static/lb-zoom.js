/* Learnable Bases: a figure, full screen, in one tap.

   On a phone a figure drawn for a 700 px column is shown at half its size and
   its text at 6 or 7 CSS px. Each figure (chapter figures, gallery images and a
   stepper's current frame) gets a button in its top right corner, and a tap on
   the figure itself does the same: a modal <dialog> shows the image at least at
   its natural size (the book's figure style draws 10 pt text at 100 pixels per
   inch, about 14 CSS px there), and scrolls. The page can be pinch-zoomed as
   usual. Escape, the Close button or the browser's Back closes it (the view is
   a history entry), and focus goes back to the figure's button. Nothing is
   loaded from the network: the view shows the file the page already has, at
   its highest resolution. */
(function () {
  "use strict";
  const FIGURES = [
    ".bd-article figure img",
    ".bd-article img.sphx-glr-single-img",
    ".bd-article img.sphx-glr-multi-img",
  ].join(", ");
  const MAX_UP = 2; // the files are 2x: never enlarged past their pixels
  let dialog, view, fit, title, opener = null, pushed = false, whole = false;
  // history.back() after a close is asynchronous: a view opened before its
  // popstate arrives waits for it (else that popstate would close the new view)
  let backPending = false, waiting = null;

  /* The image's natural size in CSS px at 1x: width and height attributes when
     the page gives them (stepper frames), else the density-corrected natural
     size (srcset), else half the pixels of a 2x file. */
  function natural(img) {
    const w = Number(img.getAttribute("width")), h = Number(img.getAttribute("height"));
    if (w > 0 && h > 0 && !/%/.test(img.getAttribute("width"))) return [w, h];
    const two = !img.srcset && /_2_00x\.png$|_frame\d+\.png$/.test(img.currentSrc || img.src);
    const d = two ? 2 : 1;
    return [img.naturalWidth / d, img.naturalHeight / d];
  }

  /* The best file for the view: the 2x candidate of a srcset, else the src. */
  function bestSource(img) {
    let best = img.currentSrc || img.src, density = 0;
    (img.srcset || "").split(",").forEach(function (part) {
      const bits = part.trim().split(/\s+/);
      const d = bits[1] && /x$/.test(bits[1]) ? parseFloat(bits[1]) : 1;
      if (bits[0] && d > density) { density = d; best = new URL(bits[0], document.baseURI).href; }
    });
    return best;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "lb-zoom-dialog";
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "lb-zoom-title");
    dialog.innerHTML =
      '<div class="lb-zoom-bar">' +
      '<p class="lb-zoom-title" id="lb-zoom-title"></p>' +
      '<button type="button" class="lb-zoom-fit" aria-pressed="false">Whole figure</button>' +
      '<button type="button" class="lb-zoom-close" autofocus>Close</button>' +
      "</div>" +
      '<div class="lb-zoom-view" tabindex="0" role="group" aria-label="Figure, scrolls">' +
      '<img alt="" decoding="async"></div>';
    document.body.appendChild(dialog);
    view = dialog.querySelector(".lb-zoom-view");
    fit = dialog.querySelector(".lb-zoom-fit");
    title = dialog.querySelector(".lb-zoom-title");
    dialog.querySelector(".lb-zoom-close").addEventListener("click", function () { close(); });
    fit.addEventListener("click", function () { whole = !whole; size(); });
    dialog.addEventListener("close", closed);
    // a tap on the dark margin around a small figure closes it too
    view.addEventListener("click", function (e) { if (e.target === view) close(); });
    window.addEventListener("popstate", function () {
      if (backPending) {
        backPending = false;
        if (waiting) { const w = waiting; waiting = null; open(w[0], w[1]); }
      } else if (dialog.open) { pushed = false; dialog.close(); }
    });
    window.addEventListener("resize", function () { if (dialog.open) size(); });
  }

  /* Natural size (readable), or larger to fill a big screen (up to the file's
     2x pixels); "Whole figure" fits all of it on the screen instead. */
  function size() {
    const img = view.querySelector("img");
    const w = Number(img.dataset.w), h = Number(img.dataset.h);
    const fitScale = Math.min(view.clientWidth / w, view.clientHeight / h);
    const scale = whole ? fitScale : Math.max(1, Math.min(fitScale, MAX_UP));
    img.style.width = Math.floor(w * scale) + "px";
    img.style.height = Math.floor(h * scale) + "px";
    fit.setAttribute("aria-pressed", String(whole));
    fit.textContent = whole ? "Actual size" : "Whole figure";
    view.classList.toggle("lb-zoom-whole", whole);
  }

  function caption(img) {
    const fig = img.closest("figure");
    const cap = fig && fig.querySelector("figcaption");
    const stepper = img.closest(".lb-stepper");
    const label = stepper && stepper.querySelector(".lb-stepper-label");
    const text = (cap && cap.textContent) || (label && label.textContent) || "";
    return text.replace(/\s+/g, " ").trim();
  }

  function open(img, button) {
    if (!dialog) build();
    if (dialog.open) return;
    if (backPending) { waiting = [img, button]; return; }
    opener = button;
    whole = false;
    const [w, h] = natural(img);
    const shown = view.querySelector("img");
    shown.dataset.w = w;
    shown.dataset.h = h;
    shown.src = bestSource(img);
    shown.alt = img.alt;
    const text = caption(img);
    title.textContent = text ? "Figure: " + text : "Figure";
    dialog.showModal();
    size();
    view.scrollTo(0, 0);
    history.pushState({ lbZoom: true }, "", location.href);
    pushed = true;
  }

  function close() { if (dialog && dialog.open) dialog.close(); }

  function closed() {
    if (pushed) { pushed = false; backPending = true; history.back(); }
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  }

  /* The button over a figure's top right corner (placed by the image's box). */
  function place(button, img, box) {
    const r = img.getBoundingClientRect(), b = box.getBoundingClientRect();
    button.hidden = r.width === 0;
    button.style.top = (r.top - b.top + box.scrollTop) + "px";
    button.style.left = (r.right - b.left + box.scrollLeft - button.offsetWidth) + "px";
  }

  function equip(box, current, images) {
    if (getComputedStyle(box).position === "static") box.style.position = "relative";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "lb-zoom-open";
    button.setAttribute("aria-label", "Show figure full screen");
    button.title = "Show figure full screen";
    button.innerHTML =
      '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">' +
      '<path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" fill="none" stroke="currentColor" ' +
      'stroke-width="1.8"/></svg>';
    box.appendChild(button);
    const go = function () { const img = current(); if (img) open(img, button); };
    button.addEventListener("click", go);
    const replace = function () { const img = current(); if (img) place(button, img, box); };
    const watch = new ResizeObserver(replace);
    images.forEach(function (img) {
      img.classList.add("lb-zoom-target");
      // a figure's image inside a link to its file (a tab stop): the link,
      // tapped or pressed, opens the view instead of the bare PNG
      const link = img.closest("a.image-reference");
      (link || img).addEventListener("click", function (e) { e.preventDefault(); go(); });
      img.addEventListener("load", replace);
      watch.observe(img);
    });
    watch.observe(box);
    replace();
  }

  function start() {
    document.querySelectorAll(FIGURES).forEach(function (img) {
      if (img.closest(".lb-stepper, .sphx-glr-thumbcontainer, a.reference.external")) return;
      const link = img.closest("a.image-reference");
      const box = img.closest("figure") || (link || img).parentElement;
      equip(box, function () { return img; }, [img]);
    });
    document.querySelectorAll(".bd-article .lb-stepper").forEach(function (stepper) {
      const frames = Array.from(stepper.querySelectorAll(".lb-stepper-frame"));
      equip(stepper, function () {
        return frames.find(function (f) { return !f.hidden; });
      }, frames);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
