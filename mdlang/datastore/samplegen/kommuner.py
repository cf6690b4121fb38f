"""Norway's municipalities (kommuner) and counties (fylker) of 2024, with Vestland's history.

Numbers and names are SSB's classification as of 1 January 2024. The counties and municipalities
of Hordaland (12) and Sogn og Fjordane (14), which became Vestland (46) on 1 January 2020, are
kept with their old numbers and the new municipality each became part of, so that residence spells
before 2020 carry the numbers valid then (e.g. Bergen 1201 → 4601). Other regions carry their
2024 numbers over the whole period (a simplification stated in docs/sample-datastores.md).
The third column is a rough population in thousands, used only as a weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from mdlang.datastore.metadata import Code
from mdlang.datastore.samplegen.dates import day

#: First day of the 2020 regional reform and of the 2024 county split.
REFORM_2020 = day("2020-01-01")
REFORM_2024 = day("2024-01-01")

FYLKER_2024 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag - Trööndelage",
    "55": "Troms",
    "56": "Finnmark",
}
FYLKER_BEFORE_2020 = {"12": "Hordaland", "14": "Sogn og Fjordane"}

_KOMMUNER_2024 = """
0301 Oslo 717
3101 Halden 31|3103 Moss 50|3105 Sarpsborg 58|3107 Fredrikstad 84|3110 Hvaler 5|3112 Råde 8
3114 Våler 6|3116 Skiptvet 4|3118 Indre Østfold 46|3120 Rakkestad 8|3122 Marker 4|3124 Aremark 1
3201 Bærum 130|3203 Asker 96|3205 Lillestrøm 90|3207 Nordre Follo 62|3209 Ullensaker 42
3212 Nesodden 20|3214 Frogn 16|3216 Vestby 19|3218 Ås 21|3220 Enebakk 11|3222 Lørenskog 47
3224 Rælingen 19|3226 Aurskog-Høland 18|3228 Nes 24|3230 Gjerdrum 7|3232 Nittedal 25
3234 Lunner 9|3236 Jevnaker 7|3238 Nannestad 15|3240 Eidsvoll 27|3242 Hurdal 3
3301 Drammen 103|3303 Kongsberg 28|3305 Ringerike 31|3310 Hole 7|3312 Lier 27|3314 Øvre Eiker 20
3316 Modum 14|3318 Krødsherad 2|3320 Flå 1|3322 Nesbyen 3|3324 Gol 5|3326 Hemsedal 3|3328 Ål 5
3330 Hol 4|3332 Sigdal 3|3334 Flesberg 3|3336 Rollag 1|3338 Nore og Uvdal 2
3401 Kongsvinger 18|3403 Hamar 32|3405 Lillehammer 29|3407 Gjøvik 31|3411 Ringsaker 35|3412 Løten 8
3413 Stange 21|3414 Nord-Odal 5|3415 Sør-Odal 8|3416 Eidskog 6|3417 Grue 5|3418 Åsnes 7|3419 Våler 4
3420 Elverum 21|3421 Trysil 7|3422 Åmot 4|3423 Stor-Elvdal 2|3424 Rendalen 2|3425 Engerdal 1
3426 Tolga 2|3427 Tynset 6|3428 Alvdal 2|3429 Folldal 2|3430 Os 2|3431 Dovre 3|3432 Lesja 2
3433 Skjåk 2|3434 Lom 2|3435 Vågå 4|3436 Nord-Fron 6|3437 Sel 6|3438 Sør-Fron 3|3439 Ringebu 4
3440 Øyer 5|3441 Gausdal 6|3442 Østre Toten 15|3443 Vestre Toten 13|3446 Gran 14|3447 Søndre Land 6
3448 Nordre Land 7|3449 Sør-Aurdal 3|3450 Etnedal 1|3451 Nord-Aurdal 6|3452 Vestre Slidre 2
3453 Øystre Slidre 3|3454 Vang 2
3901 Horten 27|3903 Holmestrand 25|3905 Tønsberg 58|3907 Sandefjord 65|3909 Larvik 48|3911 Færder 27
4001 Porsgrunn 37|4003 Skien 56|4005 Notodden 13|4010 Siljan 2|4012 Bamble 14|4014 Kragerø 10
4016 Drangedal 4|4018 Nome 7|4020 Midt-Telemark 10|4022 Seljord 3|4024 Hjartdal 2|4026 Tinn 6
4028 Kviteseid 2|4030 Nissedal 1|4032 Fyresdal 1|4034 Tokke 2|4036 Vinje 4
4201 Risør 7|4202 Grimstad 24|4203 Arendal 45|4204 Kristiansand 116|4205 Lindesnes 23|4206 Farsund 10
4207 Flekkefjord 9|4211 Gjerstad 2|4212 Vegårshei 2|4213 Tvedestrand 6|4214 Froland 6|4215 Lillesand 11
4216 Birkenes 5|4217 Åmli 2|4218 Iveland 1|4219 Evje og Hornnes 4|4220 Bygland 1|4221 Valle 1
4222 Bykle 1|4223 Vennesla 15|4224 Åseral 1|4225 Lyngdal 11|4226 Hægebostad 2|4227 Kvinesdal 6|4228 Sirdal 2
1101 Eigersund 15|1103 Stavanger 146|1106 Haugesund 38|1108 Sandnes 83|1111 Sokndal 3|1112 Lund 3
1114 Bjerkreim 3|1119 Hå 19|1120 Klepp 20|1121 Time 19|1122 Gjesdal 12|1124 Sola 28|1127 Randaberg 11
1130 Strand 13|1133 Hjelmeland 3|1134 Suldal 4|1135 Sauda 5|1144 Kvitsøy 1|1145 Bokn 1|1146 Tysvær 11
1149 Karmøy 43|1151 Utsira 1|1160 Vindafjord 9
4601 Bergen 291|4602 Kinn 17|4611 Etne 4|4612 Sveio 6|4613 Bømlo 12|4614 Stord 19|4615 Fitjar 3
4616 Tysnes 3|4617 Kvinnherad 13|4618 Ullensvang 11|4619 Eidfjord 1|4620 Ulvik 1|4621 Voss 16|4622 Kvam 8
4623 Samnanger 3|4624 Bjørnafjorden 26|4625 Austevoll 5|4626 Øygarden 39|4627 Askøy 30|4628 Vaksdal 4
4629 Modalen 1|4630 Osterøy 8|4631 Alver 30|4632 Austrheim 3|4633 Fedje 1|4634 Masfjorden 2|4635 Gulen 2
4636 Solund 1|4637 Hyllestad 1|4638 Høyanger 4|4639 Vik 3|4640 Sogndal 12|4641 Aurland 2|4642 Lærdal 2
4643 Årdal 5|4644 Luster 5|4645 Askvoll 3|4646 Fjaler 3|4647 Sunnfjord 22|4648 Bremanger 4|4649 Stad 10
4650 Gloppen 6|4651 Stryn 7
1505 Kristiansund 24|1506 Molde 32|1508 Ålesund 58|1511 Vanylven 3|1514 Sande 2|1515 Herøy 9|1516 Ulstein 9
1517 Hareid 5|1520 Ørsta 11|1525 Stranda 5|1528 Sykkylven 8|1531 Sula 10|1532 Giske 8|1535 Vestnes 7
1539 Rauma 7|1547 Aukra 4|1554 Averøy 6|1557 Gjemnes 3|1560 Tingvoll 3|1563 Sunndal 7|1566 Surnadal 6
1573 Smøla 2|1576 Aure 3|1577 Volda 11|1578 Fjord 3|1579 Hustadvika 13|1580 Haram 9
5001 Trondheim 214|5006 Steinkjer 24|5007 Namsos 15|5014 Frøya 5|5020 Osen 1|5021 Oppdal 7|5022 Rennebu 2
5025 Røros 6|5026 Holtålen 2|5027 Midtre Gauldal 6|5028 Melhus 17|5029 Skaun 8|5031 Malvik 14|5032 Selbu 4
5033 Tydal 1|5034 Meråker 2|5035 Stjørdal 25|5036 Frosta 3|5037 Levanger 20|5038 Verdal 15
5041 Snåase - Snåsa 2|5042 Lierne 1|5043 Raarvihke - Røyrvik 1|5044 Namsskogan 1|5045 Grong 2
5046 Høylandet 1|5047 Overhalla 4|5049 Flatanger 1|5052 Leka 1|5053 Inderøy 7|5054 Indre Fosen 10
5055 Heim 6|5056 Hitra 5|5057 Ørland 10|5058 Åfjord 4|5059 Orkland 18|5060 Nærøysund 10|5061 Rindal 2
1804 Bodø 53|1806 Narvik 22|1811 Bindal 1|1812 Sømna 2|1813 Brønnøy 8|1815 Vega 1|1816 Vevelstad 1
1818 Herøy 2|1820 Alstahaug 7|1822 Leirfjord 2|1824 Vefsn 13|1825 Grane 1|1826 Hattfjelldal 1|1827 Dønna 1
1828 Nesna 2|1832 Hemnes 4|1833 Rana 26|1834 Lurøy 2|1835 Træna 1|1836 Rødøy 1|1837 Meløy 6|1838 Gildeskål 2
1839 Beiarn 1|1840 Saltdal 5|1841 Fauske 10|1845 Sørfold 2|1848 Steigen 2|1851 Lødingen 2|1853 Evenes 1
1856 Røst 1|1857 Værøy 1|1859 Flakstad 1|1860 Vestvågøy 11|1865 Vågan 10|1866 Hadsel 8|1867 Bø 3
1868 Øksnes 5|1870 Sortland 10|1871 Andøy 5|1874 Moskenes 1|1875 Hamarøy 3
5501 Tromsø 78|5503 Harstad 25|5510 Kvæfjord 3|5512 Tjeldsund 4|5514 Ibestad 1|5516 Gratangen 1
5518 Loabák - Lavangen 1|5520 Bardu 4|5522 Salangen 2|5524 Målselv 7|5526 Sørreisa 3|5528 Dyrøy 1
5530 Senja 15|5532 Balsfjord 6|5534 Karlsøy 2|5536 Lyngen 3|5538 Storfjord 2|5540 Kåfjord 2|5542 Skjervøy 3
5544 Nordreisa 5|5546 Kvænangen 1
5601 Alta 21|5603 Hammerfest 11|5605 Sør-Varanger 10|5607 Vadsø 6|5610 Kautokeino 3|5612 Karasjok 3
5614 Porsanger 4|5616 Loppa 1|5618 Hasvik 1|5620 Måsøy 1|5622 Lebesby 1|5624 Gamvik 1|5626 Båtsfjord 2
5628 Berlevåg 1|5630 Nordkapp 3|5632 Nesseby 1|5634 Tana 3|5636 Vardø 2
"""

#: Hordaland and Sogn og Fjordane municipalities valid until 31 December 2019 → their 2020 successor.
_VESTLAND_BEFORE_2020 = """
1201 Bergen 4601|1211 Etne 4611|1216 Sveio 4612|1219 Bømlo 4613|1221 Stord 4614|1222 Fitjar 4615
1223 Tysnes 4616|1224 Kvinnherad 4617|1227 Jondal 4622|1228 Odda 4618|1231 Ullensvang 4618
1232 Eidfjord 4619|1233 Ulvik 4620|1234 Granvin 4621|1235 Voss 4621|1238 Kvam 4622|1241 Fusa 4624
1242 Samnanger 4623|1243 Os 4624|1244 Austevoll 4625|1245 Sund 4626|1246 Fjell 4626|1247 Askøy 4627
1251 Vaksdal 4628|1252 Modalen 4629|1253 Osterøy 4630|1256 Meland 4631|1259 Øygarden 4626
1260 Radøy 4631|1263 Lindås 4631|1264 Austrheim 4632|1265 Fedje 4633|1266 Masfjorden 4634
1401 Flora 4602|1411 Gulen 4635|1412 Solund 4636|1413 Hyllestad 4637|1416 Høyanger 4638|1417 Vik 4639
1418 Balestrand 4640|1419 Leikanger 4640|1420 Sogndal 4640|1421 Aurland 4641|1422 Lærdal 4642
1424 Årdal 4643|1426 Luster 4644|1428 Askvoll 4645|1429 Fjaler 4646|1430 Gaular 4647|1431 Jølster 4647
1432 Førde 4647|1433 Naustdal 4647|1438 Bremanger 4648|1439 Vågsøy 4602|1441 Selje 4649|1443 Eid 4649
1445 Gloppen 4650|1449 Stryn 4651
"""


def _rows(text: str) -> list[tuple[str, str, str]]:
    out = []
    for chunk in text.replace("\n", "|").split("|"):
        chunk = chunk.strip()
        if chunk:
            code, rest = chunk.split(" ", 1)
            name, last = rest.rsplit(" ", 1)
            out.append((code, name, last))
    return out


@dataclass(frozen=True)
class Kommuner:
    """The municipality table: 2024 codes, names, weights and the pre-2020 Vestland codes."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    weight: np.ndarray
    old_codes: tuple[str, ...]
    old_names: tuple[str, ...]
    old_successor: np.ndarray  # index into ``codes`` for each old code

    @property
    def bergen(self) -> int:
        return self.codes.index("4601")

    def old_choices(self, index: int) -> np.ndarray:
        """Indices into ``old_codes`` of the municipalities that merged into 2024 municipality ``index``."""
        return np.flatnonzero(self.old_successor == index)


@cache
def kommuner() -> Kommuner:
    """The table, built once."""
    new = _rows(_KOMMUNER_2024)
    codes = tuple(r[0] for r in new)
    old = _rows(_VESTLAND_BEFORE_2020)
    return Kommuner(
        codes=codes,
        names=tuple(r[1] for r in new),
        weight=np.array([float(r[2]) for r in new]),
        old_codes=tuple(r[0] for r in old),
        old_names=tuple(r[1] for r in old),
        old_successor=np.array([codes.index(r[2]) for r in old]),
    )


def code_list() -> tuple[Code, ...]:
    """Kommune code list with validity: Vestland codes change on 1 January 2020."""
    k = kommuner()
    out = [Code(c, n, None, REFORM_2020 - 1) for c, n in zip(k.old_codes, k.old_names, strict=True)]
    for c, n in zip(k.codes, k.names, strict=True):
        out.append(Code(c, n, REFORM_2020 if c.startswith("46") else None, None))
    return tuple(sorted(out, key=lambda c: (c.code, c.valid_from or 0)))


def fylke_code_list() -> tuple[Code, ...]:
    """County code list: Hordaland (12) and Sogn og Fjordane (14) end with 2019, Vestland (46) starts 2020."""
    out = [Code(c, n, None, REFORM_2020 - 1) for c, n in FYLKER_BEFORE_2020.items()]
    out += [Code(c, n, REFORM_2020 if c == "46" else None, None) for c, n in FYLKER_2024.items()]
    return tuple(sorted(out, key=lambda c: c.code))
