"""A minimal Scrapy spider for the crawl benchmark and the fixture's tests.

It follows every link and image on the allowed hosts, obeys robots.txt, and
records each response's URL and status as one JSON line (scrapy runspider
... -O out.jsonl).  No parsing of reports: it does the fetching work a
crawler does, nothing more.

    http_proxy=http://127.0.0.1:PORT/ /usr/bin/python3 -m scrapy runspider \\
        bench/crawl/spider.py -a start=URL[,URL...] -a allow=HOST[,HOST...] \\
        -O out.jsonl

The fixture answers proxy-style requests for its virtual hosts, so the
proxy setting is all the name resolution Scrapy needs.
"""
import scrapy
from scrapy.http import TextResponse


class FixtureSpider(scrapy.Spider):
    name = "nianbao-fixture"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "RETRY_TIMES": 2,
        "DOWNLOAD_TIMEOUT": 30,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, start="", allow="", **kw):
        super().__init__(**kw)
        self.start_urls = [u for u in start.split(",") if u]
        self.allowed_domains = [h for h in allow.split(",") if h]

    def parse(self, response):
        yield {"url": response.url, "status": response.status}
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href), img::attr(src)").getall():
            if href.startswith(("http:", "https:", "/", ".")) or ":" not in href:
                yield response.follow(href, callback=self.parse)
