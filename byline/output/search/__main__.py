"""``python -m byline.output.search WORKDIR PARENT``: the indexing process ``SearchIndexer`` starts."""

import sys
from pathlib import Path

from byline.output.search.pagefind_run import end_with_parent, main

workdir = Path(sys.argv[1])
end_with_parent(int(sys.argv[2]), workdir)
sys.exit(main(workdir))
