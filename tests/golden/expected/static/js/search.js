// Byline's search page: Pagefind's index (built with the site into /pagefind/) behind the
// theme's own form. A module script, so it never blocks rendering; without it the form still
// submits to /search/?q=... and the page offers browsing instead.
//
// The address keeps the query and filters (?q=...&section=...), so a search can be shared,
// bookmarked and restored with the Back button.

const PAGE_SIZE = 10;
const TYPING_PAUSE_MS = 250;

const form = document.getElementById("search-form");
if (form) start(form);

async function start(form) {
  const input = form.querySelector("#search-input");
  const sort = form.querySelector("#search-sort");
  const selects = [...form.querySelectorAll("select[data-filter]")];
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const moreButton = more.querySelector("button");

  let pagefind;
  try {
    const bundle = new URL(form.dataset.bundle, location.href);
    pagefind = await import(new URL("pagefind.js", bundle).href);
    await pagefind.options({ baseUrl: form.dataset.base, excerptLength: 28 });
    await pagefind.init();
  } catch (error) {
    status.textContent = "Search is not available yet. Every article can still be found by section, topic, region, author or date below.";
    return;
  }

  let results = [];
  let shown = 0;
  let latest = 0; // the newest search; an older one finishing late must not overwrite it
  let pause;
  const indexed = new Map(); // word -> Promise<boolean>: whether the index holds it

  restore();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(pause);
    run("push");
  });
  input.addEventListener("input", () => {
    clearTimeout(pause);
    pause = setTimeout(() => run("replace"), TYPING_PAUSE_MS);
  });
  for (const select of [...selects, sort]) select.addEventListener("change", () => run("push"));
  moreButton.addEventListener("click", () => showMore(latest, true));
  addEventListener("popstate", restore);

  // Show the search the address describes: on arrival, and on Back and Forward.
  function restore() {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    for (const select of selects) select.value = optionOrEmpty(select, params.get(select.name));
    sort.value = optionOrEmpty(sort, params.get("sort"));
    run(null);
  }

  function choices() {
    const filters = {};
    for (const select of selects) if (select.value) filters[select.name] = select.value;
    return { query: input.value.trim(), filters, newest: sort.value === "newest" };
  }

  // `step` is how the address records this search: "push" (a new history entry), "replace" or null.
  async function run(step) {
    const mine = ++latest;
    const { query, filters, newest } = choices();
    if (step) record(query, filters, newest, step);
    if (!query && Object.keys(filters).length === 0) {
      results = [];
      shown = 0;
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    const options = { filters };
    if (newest) options.sort = { date: "desc" };
    const known = !query || (await everyWordIndexed(query));
    const search = known ? await pagefind.search(query || null, options) : { results: [] };
    if (mine !== latest || !search) return;
    results = search.results;
    shown = 0;
    list.replaceChildren();
    await showMore(mine, false);
    if (mine === latest) status.textContent = describe(results.length, query, filters);
  }

  async function showMore(mine, moveFocus) {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    const pages = await Promise.all(batch.map((result) => result.data()));
    if (mine !== latest) return;
    const items = pages.map(resultItem);
    list.append(...items);
    shown += items.length;
    more.hidden = shown >= results.length;
    // After "Show more", keyboard and screen-reader users continue from the first new result.
    if (moveFocus && items.length) items[0].querySelector("a").focus();
  }

  // Pagefind is lenient: it drops a word no page contains, and matches a word it cannot find by
  // the longest indexed word it starts with ("marmalade" finds the "m" of "12,000 sq m"). A reader
  // searching for a phrase means every word, so a word the index does not hold means no results.
  async function everyWordIndexed(query) {
    if (query.includes('"')) return true; // a quoted phrase is matched exactly by Pagefind itself
    for (const word of query.split(/\s+/).map(normalise).filter(Boolean)) {
      if (!indexed.has(word)) indexed.set(word, isIndexed(word));
      if (!(await indexed.get(word))) return false;
    }
    return true;
  }

  // A word is indexed if it is a whole word of the index (an exact search finds it), or the
  // start of one: what a lenient search for it highlights begins with it.
  async function isIndexed(word) {
    const exact = await pagefind.search(`"${word}"`);
    if (exact && exact.results.length) return true;
    const loose = await pagefind.search(word);
    if (!loose || !loose.results.length) return false;
    const page = await loose.results[0].data();
    const words = page.content.split(/\s+/);
    return page.locations.some((at) => normalise(words[at] || "").startsWith(word));
  }

  function record(query, filters, newest, step) {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const [name, value] of Object.entries(filters)) params.set(name, value);
    if (newest) params.set("sort", "newest");
    const search = params.toString();
    const address = search ? `${location.pathname}?${search}` : location.pathname;
    if (address === location.pathname + location.search) return;
    history[step === "push" ? "pushState" : "replaceState"](null, "", address);
  }
}

// Lower case, accents and punctuation removed, as words are compared when checking the index.
function normalise(word) {
  return word.toLowerCase().normalize("NFD").replace(/[^\p{L}\p{N}]/gu, "");
}

function optionOrEmpty(select, value) {
  return [...select.options].some((option) => option.value === value) ? value : "";
}

function describe(count, query, filters) {
  const what = count === 1 ? "1 article" : `${count} articles`;
  const terms = Object.values(filters);
  const about = query ? ` for “${query}”` : "";
  const within = terms.length ? ` in ${terms.join(", ")}` : "";
  return count ? `${what}${about}${within}.` : `No articles${about}${within}. Try fewer or different words.`;
}

function resultItem(page) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "search-result-title";
  const link = document.createElement("a");
  link.href = page.url;
  link.textContent = page.meta.title || page.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "search-result-meta";
  const facts = [...(page.filters.section || []), ...(page.filters.author || [])];
  meta.append(facts.join(" · "));
  if (page.meta.iso) {
    const time = document.createElement("time");
    time.dateTime = page.meta.iso;
    time.textContent = page.meta.date;
    meta.append(facts.length ? " · " : "", time);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search-result-excerpt";
  excerpt.append(...highlighted(page.excerpt));
  item.append(heading, meta, excerpt);
  return item;
}

// Pagefind's excerpt is text with <mark> around the matched words; build it from text nodes
// and <mark> elements rather than trusting it as HTML.
function highlighted(excerpt) {
  const parts = [];
  const decoder = document.createElement("textarea");
  const text = (html) => {
    decoder.innerHTML = html;
    return decoder.value;
  };
  excerpt.split(/(<mark>.*?<\/mark>)/).forEach((part) => {
    if (part.startsWith("<mark>")) {
      const mark = document.createElement("mark");
      mark.textContent = text(part.slice(6, -7));
      parts.push(mark);
    } else if (part) {
      parts.push(document.createTextNode(text(part)));
    }
  });
  return parts;
}
