"""bench/parse peer: pdfminer.six layout analysis (no table logic).

usage: peer_pdfminer.py REPEAT FILE...
Prints "<reports> <pages> <seconds>" for REPEAT passes over the files.
"""
import sys
import time

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTContainer


def walk(obj):
    n = 1
    if isinstance(obj, LTContainer):
        for child in obj:
            n += walk(child)
    return n


def main():
    repeat = int(sys.argv[1])
    files = sys.argv[2:]
    reports = pages = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for path in files:
            for page in extract_pages(path, laparams=LAParams()):
                walk(page)
                pages += 1
            reports += 1
    print(reports, pages, time.perf_counter() - t0)


main()
