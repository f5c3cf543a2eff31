// Byline's search page: Pagefind's index (built with the site into /pagefind/) behind the
// theme's own form. The index is one bundle ("shard") per year, or per month of a very full
// year, and one for the newest month, that Pagefind merges; /pagefind/shards.json names them, newest first, and only the
// first carries Pagefind's code. A module script, so it never blocks rendering; without it
// the form still submits to /search/?q=... and the page offers browsing instead.
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
  let shards;
  try {
    const bundle = new URL(form.dataset.bundle, location.href);
    const manifest = await fetch(new URL("shards.json", bundle));
    if (!manifest.ok) throw new Error(`no search index (${manifest.status})`);
    ({ shards } = await manifest.json());
    const options = { baseUrl: form.dataset.base, excerptLength: 28 };
    pagefind = await import(new URL(`${shards[0]}/pagefind.js`, bundle).href);
    await pagefind.options(options);
    // All at once: Pagefind lists each bundle as it is asked, so the order stays that of the shards.
    await Promise.all(shards.slice(1).map((shard) => pagefind.mergeIndex(new URL(`${shard}/`, bundle).href, options)));
    await pagefind.init();
  } catch (error) {
    status.textContent = "Search is not available yet. Every article can still be found by section, company, topic, region, author or date below.";
    return;
  }

  let results = [];
  let shown = 0;
  let latest = 0; // the newest search; an older one finishing late must not overwrite it
  let pause;
  const indexed = new Map(); // word -> Promise<Set>: the shards that hold it

  restore(true);
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
  addEventListener("popstate", () => restore(false));

  // Show the search the address describes: on arrival, and on Back and Forward. On arrival,
  // what the reader already typed or chose while the index loaded is kept.
  function restore(arriving) {
    const params = new URLSearchParams(location.search);
    const keep = (field) => arriving && field.value;
    if (!keep(input)) input.value = params.get("q") || "";
    for (const select of [...selects, sort]) {
      if (!keep(select)) select.value = optionOrEmpty(select, params.get(select.name));
    }
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
      list.removeAttribute("aria-busy");
      more.hidden = true;
      status.textContent = "";
      return;
    }
    // Busy until the new results replace the old in one step: never an empty or mixed list.
    list.setAttribute("aria-busy", "true");
    const where = query ? await shardsHolding(query) : shards;
    const found = where.length ? await find(query || null, filters, newest, where) : [];
    if (mine !== latest) return;
    if (!found) return list.removeAttribute("aria-busy");
    results = found;
    shown = 0;
    await showMore(mine, false, true);
    if (mine !== latest) return;
    status.textContent = describe(results.length, query, filters);
    list.removeAttribute("aria-busy");
  }

  async function showMore(mine, moveFocus, replace = false) {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    const pages = await Promise.all(batch.map((result) => result.data()));
    if (mine !== latest) return;
    const items = pages.map(resultItem);
    if (replace) list.replaceChildren(...items);
    else list.append(...items);
    shown += items.length;
    more.hidden = shown >= results.length;
    // After "Show more", keyboard and screen-reader users continue from the first new result.
    if (moveFocus && items.length) items[0].querySelector("a").focus();
  }

  // Search the shards `where` (those holding every word). Best matches come from one merged
  // search when that is all of them. Newest first asks each shard (all at once) and lists
  // their results newest shard first, because Pagefind orders merged results by each
  // shard's own rank, not by date.
  async function find(term, filters, newest, where) {
    if (!newest && where.length === shards.length) {
      const search = await pagefind.search(term, { filters });
      return search && search.results;
    }
    const options = newest ? { sort: { date: "desc" } } : {};
    const searches = await Promise.all(
      where.map((shard) => pagefind.search(term, { ...options, filters: { ...filters, shard } })),
    );
    if (searches.some((search) => !search)) return null;
    const results = searches.flatMap((search) => search.results);
    return newest ? results : results.sort((a, b) => b.score - a.score);
  }

  // Pagefind is lenient: it drops a word no page contains, and matches a word it cannot find by
  // the longest indexed word it starts with ("marmalade" finds the "m" of "12,000 sq m"), each
  // shard on its own. A reader searching for several words means every one of them, so only
  // the shards that hold every word are searched.
  async function shardsHolding(query) {
    if (query.includes('"')) return shards; // a quoted phrase is matched exactly by Pagefind itself
    const words = query.split(/\s+/).map(normalise).filter(Boolean);
    let holding = shards;
    for (const word of words) {
      if (!indexed.has(word)) indexed.set(word, shardsWith(word));
      const have = await indexed.get(word);
      holding = holding.filter((shard) => have.has(shard));
      if (!holding.length) break;
    }
    return holding;
  }

  // A shard holds a word if it is a whole word there (an exact search finds it), or the start
  // of one: what a lenient search for it there highlights begins with it. One search of all
  // the shards counts the results in each (Pagefind counts filter values only when a filter
  // is set, hence "any shard"), so only shards with lenient matches and no exact one are
  // asked on their own.
  async function shardsWith(word) {
    const every = { filters: { shard: { any: shards } } };
    const exact = await pagefind.search(`"${word}"`, every);
    const found = new Set(shards.filter((shard) => exact?.filters?.shard?.[shard] > 0));
    if (found.size === shards.length) return found;
    const loose = await pagefind.search(word, every);
    const maybe = shards.filter((shard) => !found.has(shard) && loose?.filters?.shard?.[shard] > 0);
    const starts = await Promise.all(maybe.map((shard) => startsWord(word, shard)));
    maybe.forEach((shard, i) => starts[i] && found.add(shard));
    return found;
  }

  async function startsWord(word, shard) {
    const loose = await pagefind.search(word, { filters: { shard } });
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
  const facts = [...(page.filters.section || []), ...(page.filters.company || []), ...(page.filters.author || [])];
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
