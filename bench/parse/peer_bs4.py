"""The peer: BeautifulSoup with lxml doing only what any parser must do --
parse each page and walk every table's cells, reading their text.  No
template matching, no numbers: a lower bound on a Python indexer's work.

    /usr/bin/python3 peer_bs4.py REPEAT FILE...   -> prints "reports seconds"
"""
import sys
import time

from bs4 import BeautifulSoup


def walk(data):
    soup = BeautifulSoup(data, "lxml")
    cells = 0
    for table in soup.find_all("table"):
        for tr in table.find_all("tr"):
            for td in tr.find_all(["td", "th"]):
                td.get_text()
                cells += 1
    return cells


def main():
    repeat = int(sys.argv[1])
    pages = []
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            pages.append(f.read())
    n = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for data in pages:
            if walk(data) == 0:
                sys.exit("no table cells in a page")
            n += 1
    print(n, time.perf_counter() - start)


main()
