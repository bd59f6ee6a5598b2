(function () {
  var root = document.getElementById("%(id)s");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var frames = root.querySelectorAll(".lb-stepper-frame");
  var slider = root.querySelector("input[type=range]");
  var label = root.querySelector(".lb-stepper-label");
  var prev = root.querySelector("[data-act=prev]");
  var next = root.querySelector("[data-act=next]");
  var play = root.querySelector("[data-act=play]");
  var n = frames.length, i = Number(root.dataset.start), timer = null;
  function load(k) { if (k >= 0 && k < n) frames[k].loading = "eager"; }
  function show(k, first) {
    i = Math.max(0, Math.min(n - 1, k));
    frames.forEach(function (f, j) { f.hidden = j !== i; });
    if (!first) { load(i); load(i + 1); load(i - 1); }
    slider.value = i;
    slider.setAttribute("aria-valuetext", frames[i].dataset.label);
    label.textContent = (i + 1) + " / " + n + ": " + frames[i].dataset.label;
    prev.disabled = i === 0;
    next.disabled = i === n - 1;
    root.dataset.frame = i;
    if (i === n - 1) stop();
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "\u25B6 Play"; play.setAttribute("aria-pressed", "false");
  }
  function toggle() {
    if (timer) { stop(); return; }
    frames.forEach(function (f, j) { load(j); });
    if (i === n - 1) show(0);
    play.textContent = "\u275A\u275A Pause";
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(function () { show(i + 1); }, 900);
  }
  prev.onclick = function () { stop(); show(i - 1); };
  next.onclick = function () { stop(); show(i + 1); };
  play.onclick = toggle;
  slider.oninput = function () { stop(); show(Number(slider.value)); };
  root.addEventListener("keydown", function (e) {
    if (e.target === slider) return;
    if (e.key === "ArrowRight") { stop(); show(i + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { stop(); show(i - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(0); e.preventDefault(); }
    else if (e.key === "End") { stop(); show(n - 1); e.preventDefault(); }
  });
  show(i, true);
  // The shown frame loads lazily, like any figure; its neighbours are fetched
  // once the reader comes near the stepper, not with the page.
  if ("IntersectionObserver" in window) {
    var near = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      near.disconnect(); load(i + 1); load(i - 1);
    }, { rootMargin: "300px" });
    near.observe(root);
  } else { load(i + 1); load(i - 1); }
})();
