"""Prints the slowest tests of a test run from its TRX files, so the suite's time budget stays visible.

Usage: slowest_tests.py RESULTS_DIR [COUNT]   (the folder given to `dotnet test --logger trx --results-directory`).
Per test assembly: its tests' summed time and count; then the COUNT (default 20) slowest tests of all, with their class."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration):
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def results(path):
    root = ET.parse(path).getroot()
    classes = {d.get("id"): d.find("t:TestMethod", NS).get("className") for d in root.iterfind(".//t:UnitTest", NS)}
    storage = {d.get("id"): os.path.basename(d.get("storage") or "?") for d in root.iterfind(".//t:UnitTest", NS)}
    for r in root.iterfind(".//t:UnitTestResult", NS):
        test = r.get("testId")
        yield seconds(r.get("duration", "0:0:0")), storage.get(test, "?"), classes.get(test, "?"), r.get("testName")


def main():
    folder = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rows = [row for path in sorted(glob.glob(os.path.join(folder, "*.trx"))) for row in results(path)]
    if not rows:
        print(f"no test results in {folder}")
        return
    for assembly in sorted({r[1] for r in rows}):
        mine = [r for r in rows if r[1] == assembly]
        print(f"{assembly}: {len(mine)} tests, {sum(r[0] for r in mine):.0f} s summed")
    print(f"The {min(count, len(rows))} slowest tests:")
    for elapsed, _, cls, name in sorted(rows, key=lambda r: -r[0])[:count]:
        short = name if len(name) <= 140 else name[:137] + "..."
        print(f"{elapsed:8.1f} s  {cls.rsplit('.', 1)[-1]}: {short.removeprefix(cls + '.')}")


if __name__ == "__main__":
    main()
