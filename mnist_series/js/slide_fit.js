// The measurement of a reveal.js deck's slides, installed once per page as
// window.__slideFit (mnist_series/measure.py). `R` is the reveal.js API object.
// Sizes are in slide pixels (reveal.js's width and height, before it scales
// the slides to the window): bounding boxes are divided by the scale that
// .slides has on screen.
(R) => {
  if (window.__slideFit && window.__slideFit.R === R) return;
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frames = () => new Promise(r =>
    requestAnimationFrame(() => requestAnimationFrame(r)));

  async function settle() {
    const mj = window.MathJax;
    if (mj && mj.Hub && mj.Hub.Queue) {            // MathJax 2 (static decks)
      await Promise.race([new Promise(r => mj.Hub.Queue(r)), sleep(5000)]);
    } else if (mj && mj.startup && mj.startup.promise) {   // MathJax 3
      await Promise.race([mj.startup.promise, sleep(5000)]);
    }
    if (document.fonts) await document.fonts.ready;
    await Promise.all(Array.from(document.images).filter(i => !i.complete)
      .map(i => Promise.race([new Promise(r => {
        i.addEventListener('load', r); i.addEventListener('error', r); }),
        sleep(5000)])));
    await frames();
  }

  function indices() {
    const out = [];
    R.getHorizontalSlides().forEach((s, h) => {
      const n = s.querySelectorAll(':scope > section').length;
      for (let v = 0; v < Math.max(n, 1); v++) out.push([h, v]);
    });
    return out;
  }

  async function show(h, v) {
    R.slide(h, v);
    for (let i = 0; i < 500 && R.nextFragment(); i++) {}
    await settle();
  }

  function describe(el) {
    let d = '<' + el.tagName.toLowerCase() + '>';
    const cls = Array.from(el.classList).filter(c => !c.startsWith('jp-mod'))
      .slice(0, 2);
    if (cls.length) d += '.' + cls.join('.');
    return d;
  }

  function measure() {
    // The slide's size: reveal.js's config, or, where that is a percentage
    // (RISE can say '100%'), what reveal.js made of it.
    const cfg = R.getConfig(), slides = R.getSlidesElement();
    const px = (v, laid) => (typeof v === 'number' ? v
      : /^\d+(\.\d+)?(px)?$/.test(String(v)) ? parseFloat(v) : laid);
    const W = px(cfg.width, slides.offsetWidth);
    const H = px(cfg.height, slides.offsetHeight);
    const slide = R.getCurrentSlide();
    const box = slides.getBoundingClientRect();
    // Screen px per slide px: .slides is laid out at W x H, then scaled.
    const k = box.width / slides.offsetWidth || R.getScale() || 1;
    // Laid out, visible or not (a fragment fading in takes its room already).
    const shown = el => getComputedStyle(el).display !== 'none'
      && el.getClientRects().length > 0 && !el.closest('aside.notes');
    const clips = v => /(hidden|auto|scroll|clip)/.test(v);
    // The content: the union of the boxes of the slide's children, grown by
    // whatever spills out of any element that does not clip it.
    let top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
    for (const c of slide.children) {
      if (!shown(c)) continue;
      const r = c.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
      left = Math.min(left, r.left); right = Math.max(right, r.right);
    }
    const clippers = [], wide = [];
    for (const el of slide.querySelectorAll('*')) {
      if (!shown(el)) continue;
      const st = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const inside = clippers.some(c => c.el.contains(el));
      const x = clips(st.overflowX) && el.scrollWidth > el.clientWidth + 1;
      const y = clips(st.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if (x || y) {
        const how = a => (/(auto|scroll)/.test(a) ? 'scrolls' : 'clipped');
        if (x) clippers.push({el, how: how(st.overflowX) + ' sideways',
                              size: el.scrollWidth, limit: el.clientWidth});
        if (y) clippers.push({el, how: how(st.overflowY) + ' vertically',
                              size: el.scrollHeight, limit: el.clientHeight});
        continue;
      }
      if (inside || !el.clientWidth) continue;   // hidden, or inline
      const reach = Math.max(r.right, r.left + el.scrollWidth * k);
      const low = Math.max(r.bottom, r.top + el.scrollHeight * k);
      if (top < Infinity) {
        bottom = Math.max(bottom, low);
        right = Math.max(right, reach);
      }
      const past = (reach - box.left) / k;
      if (past > W + 1) wide.push({el, how: 'past the right edge',
                                   size: Math.round(past), limit: W});
    }
    const height = bottom > top ? (bottom - top) / k : 0;
    const width = right > left ? (right - left) / k : 0;
    // Report the innermost element that runs past the edge, once per kind.
    const found = clippers.concat(wide.filter(
      w => !wide.some(o => o.el !== w.el && w.el.contains(o.el))));
    const clipped = [], keys = {};
    for (const f of found) {
      const key = describe(f.el) + ' ' + f.how;
      if (key in keys) {
        const c = clipped[keys[key]];
        c.count += 1; c.size = Math.max(c.size, f.size);
      } else {
        keys[key] = clipped.length;
        clipped.push({element: describe(f.el), how: f.how, size: f.size,
                      limit: f.limit, count: 1});
      }
    }
    // A deck may box a slide and let it scroll (nbconvert's reveal_scroll,
    // RISE's scroll): the height above counts all of it, and a slide that
    // fits 700 px but scrolls in a smaller box does not fit either.
    const own = getComputedStyle(slide);
    if (clips(own.overflowY) && slide.scrollHeight > slide.clientHeight + 1
        && height <= H + 1) {
      clipped.push({element: '<section>', how: 'scrolls vertically',
                    size: slide.scrollHeight, limit: slide.clientHeight,
                    count: 1});
    }
    const heading = slide.querySelector('h1, h2, h3, h4');
    return {width_limit: W, height_limit: H,
            content_height: Math.round(height),
            content_width: Math.round(width),
            clipped: clipped,
            title: heading
              ? heading.textContent.replace(/¶$/, '').trim() : ''};
  }

  window.__slideFit = {R, settle, indices, show, measure,
    transition: null,
    // For the walk: no slide or fragment transitions, so that what a
    // screenshot shows is the slide at rest; end() puts things back.
    async begin() {
      const c = R.getConfig();
      this.transition = [c.transition, c.backgroundTransition,
                         R.getIndices()];
      R.configure({transition: 'none', backgroundTransition: 'none'});
      const still = document.createElement('style');
      still.id = 'slide-fit-still';
      still.textContent = '.reveal .slides section .fragment '
        + '{ transition: none !important; }';
      document.head.appendChild(still);
      await settle();
    },
    async end() {
      if (!this.transition) return;
      const [t, b, at] = this.transition;
      const still = document.getElementById('slide-fit-still');
      if (still) still.remove();
      R.configure({transition: t, backgroundTransition: b});
      R.slide(at.h, at.v, at.f);
      this.transition = null;
    },
    async all() {
      await this.begin();
      const out = [];
      try {
        for (const [h, v] of indices()) {
          await show(h, v);
          out.push(Object.assign({h, v}, measure()));
        }
      } finally {
        await this.end();
      }
      return out;
    },
  };
}
