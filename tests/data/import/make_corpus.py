"""Generate the bad-file corpus of this directory: ``python tests/data/import/make_corpus.py``.

The files are committed; run this again only to change them (XLSX files get new timestamps).
"""

from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parent
OUT.mkdir(parents=True, exist_ok=True)
SCHOOL_HEADER = (
    "code,district_code,name_kk,name_ru,settlement_kk,settlement_ru,locality,language,"
    "network_role,hub_code,latitude,longitude"
)
GOOD_SCHOOL = (
    "ALG010,alga,Қарабұтақ мектебі,Школа Карабутак,Қарабұтақ,Карабутак,rural,kk,none,,50.1,57.2"
)


def w(name, text, encoding="utf-8"):
    (OUT / name).write_bytes(text.encode(encoding))


# Saved by an older Russian Excel: Windows-1251 bytes, semicolons, decimal commas.
w(
    "schools-cp1251.csv",
    SCHOOL_HEADER.replace(",", ";")
    + "\r\n"
    + "ALG010;alga;Карабутак мектебі;Школа Карабутак;Карабутак;Карабутак;"
    + "rural;ru;none;;50,1;57,2\r\n",
    "cp1251",
)
w(
    "schools-missing-columns.csv",
    "code,district_code,name_kk,name_ru,settlement_kk,settlement_ru,locality,language,network_role,hub_code\n"
    "ALG010,alga,Қарабұтақ мектебі,Школа Карабутак,Қарабұтақ,Карабутак,rural,kk,none,\n",
)
w(
    "schools-unknown-columns.csv",
    SCHOOL_HEADER + ",director,phone\n" + GOOD_SCHOOL + ",Иванов,123\n",
)
w("schools-duplicate-header.csv", SCHOOL_HEADER + ",name_ru\n" + GOOD_SCHOOL + ",Школа\n")
w(
    "schools-duplicate-codes.csv",
    SCHOOL_HEADER
    + "\n"
    + GOOD_SCHOOL
    + "\n"
    + "ALG010,alga,Басқа мектеп,Другая школа,Ауыл,Аул,rural,ru,none,,50.3,57.4\n",
)
w(
    "schools-unknown-district.csv",
    SCHOOL_HEADER + "\n" + GOOD_SCHOOL.replace(",alga,", ",atlantis,") + "\n",
)
w(
    "schools-unknown-hub.csv",
    SCHOOL_HEADER + "\n" + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,magnet,NOPE99,50.1,57.2\n",
)
w(
    "schools-hub-not-a-hub.csv",
    SCHOOL_HEADER + "\n" + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,magnet,ALG002,50.1,57.2\n",
)
w(
    "schools-magnet-without-hub.csv",
    SCHOOL_HEADER + "\n" + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,magnet,,50.1,57.2\n",
)
w(
    "schools-hub-code-for-non-magnet.csv",
    SCHOOL_HEADER + "\n" + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,none,ALG001,50.1,57.2\n",
)
w(
    "schools-latitude-out-of-range.csv",
    SCHOOL_HEADER + "\n" + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,none,,95.5,57.2\n",
)
# Several bad rows at once: every one must be reported with its row and column.
w(
    "schools-several-bad-rows.csv",
    SCHOOL_HEADER
    + "\n"
    + GOOD_SCHOOL
    + "\n"  # row 2: fine
    + "ALG011,atlantis,Мектеп,Школа,Ауыл,Аул,rural,kk,none,,50.1,57.2\n"  # row 3: district
    + "ALG012,alga,Мектеп,Школа,Ауыл,Аул,village,kk,none,,50.1,57.2\n"  # row 4: locality
    + "ALG013,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,none,,north,57.2\n"  # row 5: latitude
    + "ALG014,alga,,Школа,Ауыл,Аул,rural,kk,none,,50.1,57.2\n"  # row 6: name_kk
    + "ALG010,alga,Мектеп,Школа,Ауыл,Аул,rural,kk,none,,50.1,57.2\n",
)  # row 7: duplicate
# Formula injection: stored as plain text by the import, guarded by the export.
w(
    "schools-formula-injection.csv",
    SCHOOL_HEADER
    + "\n"
    + 'ALG010,alga,=HYPERLINK("http://evil.example";"click"),+7 701 000 00 00,'
    + "-Ауыл,@SUM(A1),rural,kk,none,,50.1,57.2\n",
)

ENROL = "school_code,grade,pupils,class_set\n"
w("enrolment-negative-pupils.csv", ENROL + "ALG002,1,12,1\nALG002,2,-3,2\n")
w("enrolment-grade-13.csv", ENROL + "ALG002,1,12,1\nALG002,13,4,13\n")
w("enrolment-text-in-number.csv", ENROL + "ALG002,1,twelve,1\n")
w("enrolment-unknown-school.csv", ENROL + "ZZZ999,1,12,1\n")
w(
    "enrolment-grade-in-two-class-sets.csv",
    ENROL + "ALG002,1,5,1+3\nALG002,3,4,1+3\nALG002,1,5,1+2\n",
)
w(
    "infrastructure-speed-without-internet.csv",
    "school_code,internet_type,internet_mbps,electricity,rooms,computer_lab,science_lab,stem_lab,"
    + ",".join(
        f"{k}_{c}"
        for k in ("laptop", "desktop", "tablet", "panel", "projector")
        for c in ("working", "repair", "broken")
    )
    + "\nALG002,none,10,stable,8,да,нет,жоқ"
    + ",0" * 15
    + "\n",
)
w(
    "teachers-unknown-subject.csv",
    "teacher_code,full_name,main_school_code,weekly_hours,subjects,teaches_at\n"
    "T000001,Әлиева Гүлнар,ALG002,18,math;alchemy,ALG002:math;ALG002:alchemy\n",
)
(OUT / "empty.csv").write_bytes(b"")
# A PNG picture renamed to .csv.
(OUT / "binary-renamed.csv").write_bytes(
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
# "Unicode text" from Excel: UTF-16 with a byte-order mark.
(OUT / "schools-utf16.csv").write_bytes(
    (SCHOOL_HEADER + "\r\n" + GOOD_SCHOOL + "\r\n").encode("utf-16")
)
# An old .xls (OLE2 compound file header) and a text file named .xlsx.
(OUT / "old-excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
w("not-a-workbook.xlsx", SCHOOL_HEADER + "\n" + GOOD_SCHOOL + "\n")

# An XLSX whose data sheet is not the first one and not named like the dataset.
wb = openpyxl.Workbook()
notes = wb.active
notes.title = "Нұсқаулық"
notes.append(["Бұл файлда мектептер тізімі бар"])
notes.append(["Деректер екінші парақта"])
data = wb.create_sheet("Мектептер")
data.append(SCHOOL_HEADER.split(","))
data.append(GOOD_SCHOOL.split(","))
wb.save(OUT / "schools-wrong-sheet.xlsx")
# The same data on a sheet named like the dataset: read even though it is not first.
wb = openpyxl.Workbook()
wb.active.title = "Notes"
wb.active.append(["read me"])
data = wb.create_sheet("schools")
data.append(SCHOOL_HEADER.split(","))
data.append(GOOD_SCHOOL.split(","))
wb.save(OUT / "schools-named-sheet.xlsx")
print(sorted(p.name for p in OUT.iterdir()))
