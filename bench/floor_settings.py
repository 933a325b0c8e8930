"""Settings for bench/pages.py: the product's own, plus two pages that show the floor every signed-in
page stands on (see bench/floor_urls.py). Never used by the product."""

from qiportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
