#!/usr/bin/env python3
"""Turns bench.sh's results.tsv into a markdown summary: per scenario and
configuration the median wall time of the successful builds, the median proxy
downloads, and side-by-side ratios of every configuration against the earlier
ones (e.g. optimized/naive). Usage: summarize.py results.tsv > summary.md"""
import csv
import statistics
import sys

SCENARIOS = {
    "S1": "S1 cold",
    "S2": "S2 no change",
    "S3": "S3 one .go file edited",
    "S4": "S4 go.mod +1 module",
    "S5": "S5 --platform linux/arm64",
    "S6x": "S6x cold build exporting its cache (--cache-to)",
    "S6": "S6 fresh builder, --cache-from, one .go file edited",
}


def median(values):
    return statistics.median(values) if values else None


def cell(rows):
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        fails = [float(r["wall_s"]) for r in rows]
        kinds = sorted({r["status"] for r in rows})
        what = "FAIL" if kinds == ["FAIL"] else "/".join(kinds)
        return None, f"**{what}** ({len(rows)}/{len(rows)}, {median(fails):.1f} s)"
    wall = median([float(r["wall_s"]) for r in ok])
    zips = median([int(r["zips"]) for r in ok])
    mb = median([float(r["zip_mb"]) for r in ok])
    mods = median([int(r["mods"]) for r in ok])
    text = f"**{wall:.1f} s** · {zips:g} zip ({mb:.1f} MB), {mods:g} .mod"
    dl = median([float(r["go_dl_s"]) for r in ok])
    build = median([float(r["go_build_s"]) for r in ok])
    if dl or build:
        text += f" · go dl {dl:.1f} s + build {build:.1f} s"
    failed = len(rows) - len(ok)
    if failed:
        text += f" ({failed} not ok)"
    return wall, text


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    labels = list(dict.fromkeys(r["label"] for r in rows))
    scens = [s for s in SCENARIOS if any(r["scenario"] == s for r in rows)]
    pairs = [(a, b) for i, b in enumerate(labels) for a in labels[:i]]
    reps = max((int(r["rep"]) for r in rows), default=0)
    print(f"Medians over {reps} repetition(s); wall time of the whole `docker buildx build`;")
    print("downloads counted at the module proxy; go dl/build = executed (not cached) go steps.\n")
    header = ["scenario"] + labels + [f"{b} / {a}" for a, b in pairs]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for s in scens:
        walls, texts = {}, []
        for label in labels:
            wall, text = cell([r for r in rows if r["scenario"] == s and r["label"] == label])
            walls[label] = wall
            texts.append(text)
        ratios = []
        for a, b in pairs:
            if walls[a] and walls[b]:
                ratios.append(f"{walls[b] / walls[a]:.2f}×")
            else:
                ratios.append("–")
        print("| " + " | ".join([SCENARIOS[s]] + texts + ratios) + " |")
    warn_base_changes(rows)


def warn_base_changes(rows):
    """Flags runs in which a base image digest changed between builds of one
    configuration: the later builds then could not use the earlier cache."""
    seen, warned = {}, set()
    for r in rows:
        bases = r.get("base_images", "-")
        if bases in ("-", ""):
            continue
        key = (r["rep"], r["label"], r["scenario"] == "S5")
        first = seen.setdefault(key, (r["scenario"], bases))
        if first[1] != bases and key not in warned:
            warned.add(key)
            print(f"\n**Warning:** rep {r['rep']} {r['label']}: base images changed between "
                  f"{first[0]} ({first[1]}) and {r['scenario']} ({bases}); cache reuse is not comparable.")


if __name__ == "__main__":
    main(sys.argv[1])
