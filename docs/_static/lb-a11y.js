/* Learnable Bases: keyboard access to what overflows its column.
   The theme gives code blocks and notebook outputs a tab stop when they scroll
   sideways; display equations (div.math) and the code pages' quoted source
   (.lb-src) scroll too, on narrow screens or when wide, and so do tables on a
   phone (the theme's scrollable table box): they get the same. */
(function () {
  const selector = "div.math, .lb-src, .pst-scrollable-table-container";
  function update() {
    document.querySelectorAll(selector).forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls) el.setAttribute("tabindex", "0");
      else el.removeAttribute("tabindex");
    });
  }
  if (document.readyState === "complete") update();
  else window.addEventListener("load", update);
  window.addEventListener("resize", update);
})();
