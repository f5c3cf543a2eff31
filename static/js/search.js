// Byline's search page: Pagefind's index (built with the site into /pagefind/) behind the
// theme's own form. The index is one bundle ("shard") per calendar period, newest first in
// /pagefind/shards.json; only the first carries Pagefind's code. A module script, so it never
// blocks rendering; without it the form still submits to /search/?q=... and the page offers
// browsing instead.
//
// Shards are searched newest first and only as far as a reader needs: a search looks in the
// newest shard, then in older ones until a page of results is found, and "Show more results"
// looks further back. Each shard's index is fetched the first time a search reaches it, so a
// common word costs a reader a shard or two, not the whole archive.
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
  let bundle;
  const options = { baseUrl: form.dataset.base, excerptLength: 28 };
  try {
    bundle = new URL(form.dataset.bundle, location.href);
    const manifest = await fetch(new URL("shards.json", bundle));
    if (!manifest.ok) throw new Error(`no search index (${manifest.status})`);
    ({ shards } = await manifest.json());
    pagefind = await import(new URL(`${shards[0]}/pagefind.js`, bundle).href);
    await pagefind.options(options);
    await pagefind.init();
  } catch (error) {
    status.textContent = "Search is not available yet. Every article can still be found by section, company, topic, region, author or date below.";
    return;
  }

  let merged = 1; // the shards Pagefind has loaded so far: the first `merged` of `shards`
  let merging = Promise.resolve();
  let current = null; // the newest search; an older one finishing late must not touch the page
  let pause;
  const holds = new Map(); // word -> Map(shard -> Promise<boolean>): whether the shard holds it

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
  moreButton.addEventListener("click", () => current && showMore(current, true));
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
    const { query, filters, newest } = choices();
    if (step) record(query, filters, newest, step);
    const search = { query, filters, newest, results: [], searched: 0, shown: 0 };
    current = search;
    if (!query && Object.keys(filters).length === 0) {
      list.replaceChildren();
      list.removeAttribute("aria-busy");
      more.hidden = true;
      status.textContent = "";
      return;
    }
    // Busy until a page of results is in: the old results stay until the first new ones
    // replace them, and more are added as older shards give them.
    list.setAttribute("aria-busy", "true");
    await showMore(search, false);
  }

  // Show the next page of `search`'s results, one request after another (a click on "Show
  // more" while the first page loads waits for it).
  function showMore(search, moveFocus) {
    search.queue = (search.queue || Promise.resolve()).then(() => nextPage(search, moveFocus));
    return search.queue;
  }

  // Searching older shards while too few results are in, and showing them as they come.
  async function nextPage(search, moveFocus) {
    const wanted = search.shown + PAGE_SIZE;
    const before = search.shown;
    while (search.results.length < wanted && search.searched < shards.length) {
      const searched = await searchOlder(search, wanted);
      if (search !== current) return;
      if (!searched) return list.removeAttribute("aria-busy"); // Pagefind failed: keep what is shown
      if (!(await show(search, wanted))) return;
    }
    if (!(await show(search, wanted))) return;
    if (search.shown === 0) list.replaceChildren();
    more.hidden = search.shown >= search.results.length && search.searched === shards.length;
    status.textContent = describe(search, shards[search.searched - 1], search.searched === shards.length);
    list.removeAttribute("aria-busy");
    // After "Show more", keyboard and screen-reader users continue from the first new result.
    if (moveFocus && search.shown > before) list.children[before].querySelector("a").focus();
  }

  // Add the results found so far, up to `wanted`, to the list; false if a newer search began.
  async function show(search, wanted) {
    const batch = search.results.slice(search.shown, wanted);
    if (!batch.length) return search === current;
    const pages = await Promise.all(batch.map((result) => result.data()));
    if (search !== current) return false;
    const items = pages.map(resultItem);
    if (search.shown === 0) list.replaceChildren(...items);
    else list.append(...items);
    search.shown += items.length;
    return true;
  }

  // Search the next few older shards and add their results; false if Pagefind failed. A batch
  // is at most as many shards as were searched before it, and fewer when the results so far
  // say fewer will fill the page: a rare word reaches back further at each step.
  async function searchOlder(search, wanted) {
    const { searched } = search;
    const found = search.results.length;
    const doubling = Math.max(1, searched);
    const estimate = found ? Math.ceil(((wanted - found) * searched) / found) : doubling;
    const batch = shards.slice(searched, searched + Math.max(1, Math.min(doubling, estimate)));
    try {
      await reach(searched + batch.length);
    } catch (error) {
      return false;
    }
    const where = search.query ? await shardsHolding(search.query, batch) : batch;
    const results = where.length ? await find(search, where) : [];
    if (!results) return false;
    search.results.push(...results);
    search.searched += batch.length;
    return true;
  }

  // Load the first `count` shards into Pagefind, in order, each once.
  function reach(count) {
    const step = merging.then(async () => {
      const adding = shards.slice(merged, count);
      // All at once: Pagefind lists each bundle as it is asked, so the order stays that of the shards.
      await Promise.all(adding.map((shard) => pagefind.mergeIndex(new URL(`${shard}/`, bundle).href, options)));
      merged = Math.max(merged, count);
    });
    merging = step.catch(() => {}); // a failed merge fails its search, not every later one
    return step;
  }

  // The results from the shards `where` (those holding every word), or null if Pagefind
  // failed. Best match is one search of them all, ranked by Pagefind. Newest first asks each
  // shard (all at once) and lists their results newest shard first, because Pagefind orders
  // merged results by each shard's own rank, not by date.
  async function find({ query, filters, newest }, where) {
    const term = query || null;
    if (!newest) {
      const search = await pagefind.search(term, { filters: { ...filters, shard: { any: where } } });
      return search && search.results;
    }
    const searches = await Promise.all(
      where.map((shard) => pagefind.search(term, { sort: { date: "desc" }, filters: { ...filters, shard } })),
    );
    if (searches.some((search) => !search)) return null;
    return searches.flatMap((search) => search.results);
  }

  // Pagefind is lenient: it drops a word no page contains, and matches a word it cannot find by
  // the longest indexed word it starts with ("marmalade" finds the "m" of "12,000 sq m"), each
  // shard on its own. A reader searching for several words means every one of them, so only
  // the shards that hold every word are searched.
  async function shardsHolding(query, among) {
    if (query.includes('"')) return among; // a quoted phrase is matched exactly by Pagefind itself
    const words = query.split(/\s+/).map(normalise).filter(Boolean);
    let left = among;
    for (const word of words) {
      if (!holds.has(word)) holds.set(word, new Map());
      const known = holds.get(word);
      const asking = left.filter((shard) => !known.has(shard));
      if (asking.length) {
        const found = shardsWith(word, asking);
        for (const shard of asking) known.set(shard, found.then((have) => have.has(shard)));
      }
      const have = await Promise.all(left.map((shard) => known.get(shard)));
      left = left.filter((_, i) => have[i]);
      if (!left.length) break;
    }
    return left;
  }

  // Which of the shards `among` hold a word: as a whole word (an exact search finds it), or as
  // the start of one (what a lenient search there highlights begins with it). One search of
  // them all counts the results in each (Pagefind counts filter values only when a filter is
  // set, hence "any shard"), so only shards with lenient matches and no exact one are asked on
  // their own.
  async function shardsWith(word, among) {
    const every = { filters: { shard: { any: among } } };
    const exact = await pagefind.search(`"${word}"`, every);
    const found = new Set(among.filter((shard) => exact?.filters?.shard?.[shard] > 0));
    if (found.size === among.length) return found;
    const loose = await pagefind.search(word, every);
    const maybe = among.filter((shard) => !found.has(shard) && loose?.filters?.shard?.[shard] > 0);
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

// What was found, and how far back: until every shard is searched, the count is of the newer
// articles only, and the reader is told that older ones come with "Show more results".
function describe({ results, query, filters }, oldest, everything) {
  const count = results.length;
  const what = count === 1 ? "1 article" : `${count} articles`;
  const terms = Object.values(filters);
  const about = query ? ` for “${query}”` : "";
  const within = terms.length ? ` in ${terms.join(", ")}` : "";
  if (!everything) return `${what}${about}${within} since ${since(oldest)}. Show more to search older articles.`;
  return count ? `${what}${about}${within}.` : `No articles${about}${within}. Try fewer or different words.`;
}

// A shard's name is its first day to its period's precision: 2019, 2019-07 or 2019-07-16.
function since(shard) {
  const [year, month, day] = shard.split("-").map(Number);
  const first = new Date(Date.UTC(year, (month || 1) - 1, day || 1));
  const parts = { timeZone: "UTC", year: "numeric", month: month ? "long" : undefined, day: day ? "numeric" : undefined };
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, parts).format(first);
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
