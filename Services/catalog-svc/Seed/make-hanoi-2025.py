#!/usr/bin/env python3
"""Writes the hanoi-2025 seed (CatalogService/Seed/hanoi-2025.json) from two inputs:

- CatalogService/Seed/catalog.json, the hanoi-2020 seed: its fields and procedures (documents,
  time limits, fees, forms) are copied as they are, so a change there (a fee, a document)
  reaches the 2025 city by running this script again;
- Seed/hanoi-2025-tree.json: the city after 1 July 2025 (departments as merged in 2025, the
  city's Public Administration Service Centre and its branches, the 126 wards and communes each
  with its own centre, the police and social insurance offices), where each 2020 procedure is
  done now (a district's procedures go to the communes or a department), the procedures of the
  liên thông groups and the groups themselves.

Levels: a procedure done by communes is offered at every ward and commune at the highest level
any ward or district offered it in 2020; one done by a department at the 2020 level of the
department it came from (or, moved from the districts, the department the tree names, at the
districts' level). Standard library only; the output is deterministic.

    python3 Services/catalog-svc/Seed/make-hanoi-2025.py           # rewrite
    python3 Services/catalog-svc/Seed/make-hanoi-2025.py --check   # exit 1 if stale
"""
import copy
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "CatalogService" / "Seed"
SOURCE = SEED / "catalog.json"
TREE = HERE / "hanoi-2025-tree.json"
OUTPUT = SEED / "hanoi-2025.json"

MOVED_NOTE = "Từ 01/7/2025 (chính quyền địa phương hai cấp, không còn cấp huyện): {where}; căn cứ: {basis}."
WHERE = {
    ("ward-commune",): "thực hiện tại UBND phường, xã",
    ("department",): "thực hiện tại sở chuyên ngành của Thành phố",
    ("department", "ward-commune"): "thực hiện tại sở chuyên ngành của Thành phố hoặc UBND phường, xã theo phân cấp",
}


def agencies(tree):
    """The 2025 agency tree, parents before children, and the codes of the ward police offices."""
    hours = tree["officeHours"]
    city = tree["city"]["code"]

    def agency(code, name, kind, parent, receives_for=None):
        entry = {"code": code, "name": name, "kind": kind, "parentCode": parent, "levelCeiling": 4,
                 "officeHours": hours}
        if receives_for is not None:
            entry["receivesFor"] = receives_for
        return entry

    result = [agency(city, tree["city"]["name"], "city", "")]
    for department in tree["departments"]:
        result.append(agency(department["code"], department["name"], "department", city))
    # Dossiers are received regardless of administrative boundary within the city
    # (Nghị định 118/2025/NĐ-CP): every centre receives for every agency ("*").
    centre = tree["centre"]
    result.append(agency(centre["code"], centre["name"], "service-centre", city, ["*"]))
    for branch in centre["branches"]:
        result.append(agency(branch["code"], branch["name"], "service-centre", centre["code"], ["*"]))
    police = tree["police"]
    result.append(agency(police["code"], police["name"], "police", city))
    insurance = tree["socialInsurance"]
    result.append(agency(insurance["code"], insurance["name"], "social-insurance", city))

    codes = tree["communeCodes"]
    with_police = set(police["wardsWithPolice"])
    ward_police = []
    units = [("ward", "Phường", name, i + 1) for i, name in enumerate(tree["wards"])]
    units += [("commune", "Xã", name, i + 1) for i, name in enumerate(tree["communes"])]
    for kind, word, name, number in units:
        n = f"{number:02d}"
        code = codes[kind].format(n=n)
        result.append(agency(code, f"UBND {word} {name}", "ward-commune", city))
        result.append(agency(codes[kind + "Centre"].format(n=n),
                             f"Trung tâm Phục vụ hành chính công {word.lower()} {name}", "service-centre", code, ["*"]))
        if name in with_police:
            police_code = codes[kind + "Police"].format(n=n)
            result.append(agency(police_code, f"Công an {word.lower()} {name}", "police", police["code"]))
            ward_police.append(police_code)
    return result, ward_police


def procedures(source, tree):
    """The 2020 procedures with their 2025 agency kinds (and a note where they moved), then the
    liên thông step procedures."""
    mapping = tree["procedures"]
    result = []
    for procedure in source["procedures"]:
        if procedure["code"] not in mapping:
            sys.exit(f"make-hanoi-2025: procedure {procedure['code']} of catalog.json has no entry in {TREE.name}")
        rule = mapping[procedure["code"]]
        moved = copy.deepcopy(procedure)
        moved["agencyKinds"] = rule["agencyKinds"]
        if "basis" in rule:
            where = WHERE[tuple(sorted(rule["agencyKinds"]))]
            moved["description"] = (moved.get("description", "") + " "
                                    + MOVED_NOTE.format(where=where, basis=rule["basis"])).strip()
        result.append(moved)
    return result + copy.deepcopy(tree["newProcedures"])


def levels(source, tree, agency_list, ward_police):
    kinds = {a["code"]: a["kind"] for a in source["agencies"]}
    department_of = {old: d["code"] for d in tree["departments"] for old in d["from"]}
    communes = [a["code"] for a in agency_list if a["kind"] == "ward-commune"]
    result = []
    for procedure in source["procedures"]:
        code = procedure["code"]
        rule = tree["procedures"][code]
        old = [(l["agencyCode"], l["level"]) for l in source["levels"] if l["procedureCode"] == code]
        local = [level for agency, level in old if kinds[agency] in ("ward-commune", "district")]
        if "ward-commune" in rule["agencyKinds"] and local:
            result += [(agency, code, max(local)) for agency in communes]
        if "department" in rule["agencyKinds"]:
            at = {}
            for agency, level in old:
                if kinds[agency] == "department":
                    new = department_of[agency]
                    at[new] = max(at.get(new, 0), level)
            if not at and "department" in rule and local:
                at[rule["department"]] = max(local)
            result += [(agency, code, level) for agency, level in sorted(at.items())]
    for entry in tree["newLevels"]:
        targets = ward_police if entry["agencies"] == "ward-police" else [entry["agencies"]]
        result += [(agency, entry["procedure"], entry["level"]) for agency in targets]
    return [{"agencyCode": a, "procedureCode": p, "level": l} for a, p, l in result]


def build():
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    tree = json.loads(TREE.read_text(encoding="utf-8"))
    agency_list, ward_police = agencies(tree)
    document = {
        "agencies": agency_list,
        "fields": source["fields"] + tree["fields"],
        "procedures": procedures(source, tree),
        "levels": levels(source, tree, agency_list, ward_police),
        "calendarOverrides": [],
        "procedureGroups": tree["groups"],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return unicodedata.normalize("NFC", text)


def main():
    text = build()
    if "--check" in sys.argv[1:]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            sys.exit(1)
        print(f"{OUTPUT.name} is up to date")
        return
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
