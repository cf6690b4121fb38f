"""Norway's municipalities (kommuner) and counties (fylker) in five numberings.

Numbers and names follow SSB's classification in five periods: until 31 December 2016, the year
2017 (after Sandefjord, Andebu and Stokke became Sandefjord), 2018–2019 (after the Trøndelag
county merger, which renumbered every municipality of Sør- and Nord-Trøndelag 16xx/17xx → 50xx,
and the mergers of Larvik and Lardal, Holmestrand and Hof, Nøtterøy and Tjøme into Færder, and
Rissa and Leksvik into Indre Fosen), 2020–2023 (after the regional reform of 1 January 2020) and
from 1 January 2024 (after Viken, Vestfold og Telemark and Troms og Finnmark were split and
Haram left Ålesund). Residence is simulated in 2024 municipalities; each 2024 municipality knows
its 2020–2023 number and the 2019 municipalities whose area it now covers, and each 2019
municipality the 2017 (and each 2017 one the 2016) municipalities it was formed from, so a spell
carries a number valid then (e.g. Bergen 1201 → 4601, Skedsmo 0231 → Lillestrøm 3030 → 3205,
Trondheim 1601 → 5001, Stokke 0720 → Sandefjord 0710 → 3804 → 3907). Changes before 2017 are
not modelled: the 2016 numbers serve the whole period before 2017. The third column of the 2024
table, and the last column of the tables before 2018, are rough populations in thousands, used
only as weights when a merged municipality is traced back to one of its parts.

Sources for 2017–2018: the Government's list of adopted mergers (regjeringen.no, "Vedtatte
sammenslåinger": dates and new numbers 0710, 0712, 0715, 0729 and Indre Fosen), and the 2017
municipality list with the Trøndelag numbers 16xx/17xx matched by name to 2019's 50xx (a few
pairs, e.g. Hemne 1612 → 5011, Røros 1640 → 5025, confirmed by local news of January 2018).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from mdlang.datastore.metadata import Code
from mdlang.datastore.samplegen.dates import day

#: First days of the 2017 and 2018 mergers, the 2020 regional reform and the 2024 county split.
REFORM_2017 = day("2017-01-01")
REFORM_2018 = day("2018-01-01")
REFORM_2020 = day("2020-01-01")
REFORM_2024 = day("2024-01-01")
#: The five numbering periods: (first day, last day), open ends as None.
PERIODS = (
    (None, REFORM_2017 - 1),
    (REFORM_2017, REFORM_2018 - 1),
    (REFORM_2018, REFORM_2020 - 1),
    (REFORM_2020, REFORM_2024 - 1),
    (REFORM_2024, None),
)

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
FYLKER_2020 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "30": "Viken",
    "34": "Innlandet",
    "38": "Vestfold og Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag - Trööndelage",
    "54": "Troms og Finnmark - Romsa ja Finnmárku",
}
FYLKER_BEFORE_2020 = {
    "01": "Østfold",
    "02": "Akershus",
    "03": "Oslo",
    "04": "Hedmark",
    "05": "Oppland",
    "06": "Buskerud",
    "07": "Vestfold",
    "08": "Telemark",
    "09": "Aust-Agder",
    "10": "Vest-Agder",
    "11": "Rogaland",
    "12": "Hordaland",
    "14": "Sogn og Fjordane",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "19": "Troms - Romsa",
    "20": "Finnmark - Finnmárku",
    "50": "Trøndelag - Trööndelage",
}
#: Until 31 December 2017 Trøndelag was two counties.
FYLKER_BEFORE_2018 = {
    **{k: v for k, v in FYLKER_BEFORE_2020.items() if k != "50"},
    "16": "Sør-Trøndelag",
    "17": "Nord-Trøndelag",
}

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

#: Numbers 2020–2023 that differ from 2024 → the 2024 municipality (or municipalities) they became.
_NUMBERS_2020 = """
3001 Halden 3101|3002 Moss 3103|3003 Sarpsborg 3105|3004 Fredrikstad 3107|3005 Drammen 3301
3006 Kongsberg 3303|3007 Ringerike 3305|3011 Hvaler 3110|3012 Aremark 3124|3013 Marker 3122
3014 Indre Østfold 3118|3015 Skiptvet 3116|3016 Rakkestad 3120|3017 Råde 3112|3018 Våler 3114
3019 Vestby 3216|3020 Nordre Follo 3207|3021 Ås 3218|3022 Frogn 3214|3023 Nesodden 3212
3024 Bærum 3201|3025 Asker 3203|3026 Aurskog-Høland 3226|3027 Rælingen 3224|3028 Enebakk 3220
3029 Lørenskog 3222|3030 Lillestrøm 3205|3031 Nittedal 3232|3032 Gjerdrum 3230|3033 Ullensaker 3209
3034 Nes 3228|3035 Eidsvoll 3240|3036 Nannestad 3238|3037 Hurdal 3242|3038 Hole 3310|3039 Flå 3320
3040 Nesbyen 3322|3041 Gol 3324|3042 Hemsedal 3326|3043 Ål 3328|3044 Hol 3330|3045 Sigdal 3332
3046 Krødsherad 3318|3047 Modum 3316|3048 Øvre Eiker 3314|3049 Lier 3312|3050 Flesberg 3334
3051 Rollag 3336|3052 Nore og Uvdal 3338|3053 Jevnaker 3236|3054 Lunner 3234
3801 Horten 3901|3802 Holmestrand 3903|3803 Tønsberg 3905|3804 Sandefjord 3907|3805 Larvik 3909
3806 Porsgrunn 4001|3807 Skien 4003|3808 Notodden 4005|3811 Færder 3911|3812 Siljan 4010
3813 Bamble 4012|3814 Kragerø 4014|3815 Drangedal 4016|3816 Nome 4018|3817 Midt-Telemark 4020
3818 Tinn 4026|3819 Hjartdal 4024|3820 Seljord 4022|3821 Kviteseid 4028|3822 Nissedal 4030
3823 Fyresdal 4032|3824 Tokke 4034|3825 Vinje 4036
5401 Tromsø 5501|5402 Harstad 5503|5403 Alta 5601|5404 Vardø 5636|5405 Vadsø 5607|5406 Hammerfest 5603
5411 Kvæfjord 5510|5412 Tjeldsund 5512|5413 Ibestad 5514|5414 Gratangen 5516
5415 Loabák - Lavangen 5518|5416 Bardu 5520|5417 Salangen 5522|5418 Målselv 5524|5419 Sørreisa 5526
5420 Dyrøy 5528|5421 Senja 5530|5422 Balsfjord 5532|5423 Karlsøy 5534|5424 Lyngen 5536
5425 Storfjord - Omasvuotna - Omasvuono 5538|5426 Gáivuotna - Kåfjord - Kaivuono 5540
5427 Skjervøy 5542|5428 Nordreisa - Ráisa - Raisi 5544|5429 Kvænangen 5546
5430 Guovdageaidnu - Kautokeino 5610|5432 Loppa 5616|5433 Hasvik 5618|5434 Måsøy 5620
5435 Nordkapp 5630|5436 Porsanger - Porsáŋgu - Porsanki 5614|5437 Kárášjohka - Karasjok 5612
5438 Lebesby 5622|5439 Gamvik 5624|5440 Berlevåg 5628|5441 Deatnu - Tana 5634
5442 Unjárga - Nesseby 5632|5443 Båtsfjord 5626|5444 Sør-Varanger 5605
1507 Ålesund 1508,1580
"""

#: The municipalities of 2018–2019 → the 2024 municipality (or municipalities) covering their area.
_NUMBERS_2019 = """
0101 Halden 3101|0104 Moss 3103|0105 Sarpsborg 3105|0106 Fredrikstad 3107|0111 Hvaler 3110
0118 Aremark 3124|0119 Marker 3122|0121 Rømskog 3226|0122 Trøgstad 3118|0123 Spydeberg 3118
0124 Askim 3118|0125 Eidsberg 3118|0127 Skiptvet 3116|0128 Rakkestad 3120|0135 Råde 3112
0136 Rygge 3103|0137 Våler 3114|0138 Hobøl 3118
0211 Vestby 3216|0213 Ski 3207|0214 Ås 3218|0215 Frogn 3214|0216 Nesodden 3212|0217 Oppegård 3207
0219 Bærum 3201|0220 Asker 3203|0221 Aurskog-Høland 3226|0226 Sørum 3205|0227 Fet 3205
0228 Rælingen 3224|0229 Enebakk 3220|0230 Lørenskog 3222|0231 Skedsmo 3205|0233 Nittedal 3232
0234 Gjerdrum 3230|0235 Ullensaker 3209|0236 Nes 3228|0237 Eidsvoll 3240|0238 Nannestad 3238
0239 Hurdal 3242
0301 Oslo 0301
0402 Kongsvinger 3401|0403 Hamar 3403|0412 Ringsaker 3411|0415 Løten 3412|0417 Stange 3413
0418 Nord-Odal 3414|0419 Sør-Odal 3415|0420 Eidskog 3416|0423 Grue 3417|0425 Åsnes 3418
0426 Våler 3419|0427 Elverum 3420|0428 Trysil 3421|0429 Åmot 3422|0430 Stor-Elvdal 3423
0432 Rendalen 3424|0434 Engerdal 3425|0436 Tolga 3426|0437 Tynset 3427|0438 Alvdal 3428
0439 Folldal 3429|0441 Os 3430
0501 Lillehammer 3405|0502 Gjøvik 3407|0511 Dovre 3431|0512 Lesja 3432|0513 Skjåk 3433|0514 Lom 3434
0515 Vågå 3435|0516 Nord-Fron 3436|0517 Sel 3437|0519 Sør-Fron 3438|0520 Ringebu 3439|0521 Øyer 3440
0522 Gausdal 3441|0528 Østre Toten 3442|0529 Vestre Toten 3443|0532 Jevnaker 3236|0533 Lunner 3234
0534 Gran 3446|0536 Søndre Land 3447|0538 Nordre Land 3448|0540 Sør-Aurdal 3449|0541 Etnedal 3450
0542 Nord-Aurdal 3451|0543 Vestre Slidre 3452|0544 Øystre Slidre 3453|0545 Vang 3454
0602 Drammen 3301|0604 Kongsberg 3303|0605 Ringerike 3305|0612 Hole 3310|0615 Flå 3320|0616 Nes 3322
0617 Gol 3324|0618 Hemsedal 3326|0619 Ål 3328|0620 Hol 3330|0621 Sigdal 3332|0622 Krødsherad 3318
0623 Modum 3316|0624 Øvre Eiker 3314|0625 Nedre Eiker 3301|0626 Lier 3312|0627 Røyken 3203
0628 Hurum 3203|0631 Flesberg 3334|0632 Rollag 3336|0633 Nore og Uvdal 3338
0701 Horten 3901|0704 Tønsberg 3905|0710 Sandefjord 3907|0711 Svelvik 3301|0712 Larvik 3909
0713 Sande 3903|0715 Holmestrand 3903|0716 Re 3905|0729 Færder 3911
0805 Porsgrunn 4001|0806 Skien 4003|0807 Notodden 4005|0811 Siljan 4010|0814 Bamble 4012
0815 Kragerø 4014|0817 Drangedal 4016|0819 Nome 4018|0821 Bø 4020|0822 Sauherad 4020|0826 Tinn 4026
0827 Hjartdal 4024|0828 Seljord 4022|0829 Kviteseid 4028|0830 Nissedal 4030|0831 Fyresdal 4032
0833 Tokke 4034|0834 Vinje 4036
0901 Risør 4201|0904 Grimstad 4202|0906 Arendal 4203|0911 Gjerstad 4211|0912 Vegårshei 4212
0914 Tvedestrand 4213|0919 Froland 4214|0926 Lillesand 4215|0928 Birkenes 4216|0929 Åmli 4217
0935 Iveland 4218|0937 Evje og Hornnes 4219|0938 Bygland 4220|0940 Valle 4221|0941 Bykle 4222
1001 Kristiansand 4204|1002 Mandal 4205|1003 Farsund 4206|1004 Flekkefjord 4207|1014 Vennesla 4223
1017 Songdalen 4204|1018 Søgne 4204|1021 Marnardal 4205|1026 Åseral 4224|1027 Audnedal 4225
1029 Lindesnes 4205|1032 Lyngdal 4225|1034 Hægebostad 4226|1037 Kvinesdal 4227|1046 Sirdal 4228
1101 Eigersund 1101|1102 Sandnes 1108|1103 Stavanger 1103|1106 Haugesund 1106|1111 Sokndal 1111
1112 Lund 1112|1114 Bjerkreim 1114|1119 Hå 1119|1120 Klepp 1120|1121 Time 1121|1122 Gjesdal 1122
1124 Sola 1124|1127 Randaberg 1127|1129 Forsand 1108|1130 Strand 1130|1133 Hjelmeland 1133
1134 Suldal 1134|1135 Sauda 1135|1141 Finnøy 1103|1142 Rennesøy 1103|1144 Kvitsøy 1144|1145 Bokn 1145
1146 Tysvær 1146|1149 Karmøy 1149|1151 Utsira 1151|1160 Vindafjord 1160
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
1444 Hornindal 1577|1445 Gloppen 4650|1449 Stryn 4651
1502 Molde 1506|1504 Ålesund 1508|1505 Kristiansund 1505|1511 Vanylven 1511|1514 Sande 1514
1515 Herøy 1515|1516 Ulstein 1516|1517 Hareid 1517|1519 Volda 1577|1520 Ørsta 1520|1523 Ørskog 1508
1524 Norddal 1578|1525 Stranda 1525|1526 Stordal 1578|1528 Sykkylven 1528|1529 Skodje 1508
1531 Sula 1531|1532 Giske 1532|1534 Haram 1580|1535 Vestnes 1535|1539 Rauma 1539|1543 Nesset 1506
1545 Midsund 1506|1546 Sandøy 1508|1547 Aukra 1547|1548 Fræna 1579|1551 Eide 1579|1554 Averøy 1554
1557 Gjemnes 1557|1560 Tingvoll 1560|1563 Sunndal 1563|1566 Surnadal 1566|1567 Rindal 5061
1571 Halsa 5055|1573 Smøla 1573|1576 Aure 1576
1804 Bodø 1804|1805 Narvik 1806|1811 Bindal 1811|1812 Sømna 1812|1813 Brønnøy 1813|1815 Vega 1815
1816 Vevelstad 1816|1818 Herøy 1818|1820 Alstahaug 1820|1822 Leirfjord 1822|1824 Vefsn 1824
1825 Grane 1825|1826 Hattfjelldal 1826|1827 Dønna 1827|1828 Nesna 1828|1832 Hemnes 1832|1833 Rana 1833
1834 Lurøy 1834|1835 Træna 1835|1836 Rødøy 1836|1837 Meløy 1837|1838 Gildeskål 1838|1839 Beiarn 1839
1840 Saltdal 1840|1841 Fauske 1841|1845 Sørfold 1845|1848 Steigen 1848|1849 Hamarøy 1875
1850 Divtasvuodna - Tysfjord 1806,1875|1851 Lødingen 1851|1852 Tjeldsund 5512|1853 Evenes 1853
1854 Ballangen 1806|1856 Røst 1856|1857 Værøy 1857|1859 Flakstad 1859|1860 Vestvågøy 1860
1865 Vågan 1865|1866 Hadsel 1866|1867 Bø 1867|1868 Øksnes 1868|1870 Sortland 1870|1871 Andøy 1871
1874 Moskenes 1874
1902 Tromsø 5501|1903 Harstad 5503|1911 Kvæfjord 5510|1913 Skånland 5512|1917 Ibestad 5514
1919 Gratangen 5516|1920 Lavangen 5518|1922 Bardu 5520|1923 Salangen 5522|1924 Målselv 5524
1925 Sørreisa 5526|1926 Dyrøy 5528|1927 Tranøy 5530|1928 Torsken 5530|1929 Berg 5530|1931 Lenvik 5530
1933 Balsfjord 5532|1936 Karlsøy 5534|1938 Lyngen 5536|1939 Storfjord 5538
1940 Gáivuotna - Kåfjord 5540|1941 Skjervøy 5542|1942 Nordreisa 5544|1943 Kvænangen 5546
2002 Vardø 5636|2003 Vadsø 5607|2004 Hammerfest 5603|2011 Guovdageaidnu - Kautokeino 5610
2012 Alta 5601|2014 Loppa 5616|2015 Hasvik 5618|2017 Kvalsund 5603|2018 Måsøy 5620|2019 Nordkapp 5630
2020 Porsanger 5614|2021 Kárášjohka - Karasjok 5612|2022 Lebesby 5622|2023 Gamvik 5624
2024 Berlevåg 5628|2025 Deatnu - Tana 5634|2027 Unjárga - Nesseby 5632|2028 Båtsfjord 5626
2030 Sør-Varanger 5605
5001 Trondheim 5001|5004 Steinkjer 5006|5005 Namsos 5007|5011 Hemne 5055
5012 Snillfjord 5055,5056,5059|5013 Hitra 5056|5014 Frøya 5014|5015 Ørland 5057|5016 Agdenes 5059
5017 Bjugn 5057|5018 Åfjord 5058|5019 Roan 5058|5020 Osen 5020|5021 Oppdal 5021|5022 Rennebu 5022
5023 Meldal 5059|5024 Orkdal 5059|5025 Røros 5025|5026 Holtålen 5026|5027 Midtre Gauldal 5027
5028 Melhus 5028|5029 Skaun 5029|5030 Klæbu 5001|5031 Malvik 5031|5032 Selbu 5032|5033 Tydal 5033
5034 Meråker 5034|5035 Stjørdal 5035|5036 Frosta 5036|5037 Levanger 5037|5038 Verdal 5038
5039 Verran 5006|5040 Namdalseid 5007|5041 Snåase - Snåsa 5041|5042 Lierne 5042
5043 Raarvihke - Røyrvik 5043|5044 Namsskogan 5044|5045 Grong 5045|5046 Høylandet 5046
5047 Overhalla 5047|5048 Fosnes 5007|5049 Flatanger 5049|5050 Vikna 5060|5051 Nærøy 5060|5052 Leka 5052
5053 Inderøy 5053|5054 Indre Fosen 5054
"""

#: Numbers of 2017 that differ from 2018–2019 → the 2019 municipality they became, and a rough
#: population in thousands (a weight where several became one).
_NUMBERS_2017 = """
0702 Holmestrand 0715 11|0714 Hof 0715 3|0709 Larvik 0712 44|0728 Lardal 0712 2
0722 Nøtterøy 0729 22|0723 Tjøme 0729 5
1601 Trondheim 5001 1|1612 Hemne 5011 1|1613 Snillfjord 5012 1|1617 Hitra 5013 1|1620 Frøya 5014 1
1621 Ørland 5015 1|1622 Agdenes 5016 1|1624 Rissa 5054 7|1627 Bjugn 5017 1|1630 Åfjord 5018 1
1632 Roan 5019 1|1633 Osen 5020 1|1634 Oppdal 5021 1|1635 Rennebu 5022 1|1636 Meldal 5023 1
1638 Orkdal 5024 1|1640 Røros 5025 1|1644 Holtålen 5026 1|1648 Midtre Gauldal 5027 1
1653 Melhus 5028 1|1657 Skaun 5029 1|1662 Klæbu 5030 1|1663 Malvik 5031 1|1664 Selbu 5032 1
1665 Tydal 5033 1|1702 Steinkjer 5004 1|1703 Namsos 5005 1|1711 Meråker 5034 1|1714 Stjørdal 5035 1
1717 Frosta 5036 1|1718 Leksvik 5054 4|1719 Levanger 5037 1|1721 Verdal 5038 1|1724 Verran 5039 1
1725 Namdalseid 5040 1|1736 Snåase - Snåsa 5041 1|1738 Lierne 5042 1|1739 Raarvihke - Røyrvik 5043 1
1740 Namsskogan 5044 1|1742 Grong 5045 1|1743 Høylandet 5046 1|1744 Overhalla 5047 1|1748 Fosnes 5048 1
1749 Flatanger 5049 1|1750 Vikna 5050 1|1751 Nærøy 5051 1|1755 Leka 5052 1|1756 Inderøy 5053 1
"""

#: Numbers of 2016 that differ from 2017 → the 2017 municipality they became, with a weight.
_NUMBERS_2016 = """
0706 Sandefjord 0710 45|0719 Andebu 0710 6|0720 Stokke 0710 12
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
class Earlier:
    """The municipalities of an earlier period, each traced forward to one of the next period.

    ``successor[j]`` indexes the next period's table (for 2017: the 2018–2019 table ``old_codes``;
    for 2016: the 2017 table); ``weight[j]`` is a rough population, the chance of a resident of
    the successor being traced back to ``j`` rather than to another part of it.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    successor: np.ndarray
    weight: np.ndarray

    def parts(self, index: int) -> np.ndarray:
        """Indices of the municipalities of this period that became ``index`` of the next."""
        return np.flatnonzero(self.successor == index)


def _earlier(text: str, codes: tuple[str, ...], names: tuple[str, ...]) -> Earlier:
    """The period before ``codes``: those codes, with the changed ones replaced by their parts."""
    changed = []
    for chunk in text.replace("\n", "|").split("|"):
        if chunk.strip():
            code, rest = chunk.strip().split(" ", 1)
            name, succ, weight = rest.rsplit(" ", 2)
            changed.append((code, name, codes.index(succ), float(weight)))
    merged = {c[2] for c in changed}
    rows = [
        (c, n, i, 1.0) for i, (c, n) in enumerate(zip(codes, names, strict=True)) if i not in merged
    ]
    rows = sorted(rows + changed)
    return Earlier(
        codes=tuple(r[0] for r in rows),
        names=tuple(r[1] for r in rows),
        successor=np.array([r[2] for r in rows], np.int64),
        weight=np.array([r[3] for r in rows]),
    )


@dataclass(frozen=True)
class Kommuner:
    """The municipality table: 2024 codes, names and weights, with the numbers of earlier periods.

    ``codes_2020[i]`` is the number 2020–2023 of 2024 municipality ``i``; ``old_codes`` are the
    municipalities of 2018–2019 and ``old_successors[j]`` the 2024 municipalities covering old
    ``j``; ``of_2017`` and ``of_2016`` trace the two years before back from there.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    weight: np.ndarray
    codes_2020: tuple[str, ...]
    names_2020: tuple[str, ...]
    old_codes: tuple[str, ...]
    old_names: tuple[str, ...]
    old_successors: tuple[tuple[int, ...], ...]
    of_2017: Earlier
    of_2016: Earlier

    @property
    def bergen(self) -> int:
        """Index of Bergen (4601)."""
        return self.codes.index("4601")

    def old_choices(self, index: int) -> np.ndarray:
        """Indices into ``old_codes`` of the 2019 municipalities within 2024 municipality ``index``."""
        return np.array(
            [j for j, succ in enumerate(self.old_successors) if index in succ], dtype=np.int64
        )


@cache
def kommuner() -> Kommuner:
    """The table, built once."""
    new = _rows(_KOMMUNER_2024)
    codes = tuple(r[0] for r in new)
    names = [r[1] for r in new]
    codes_2020, names_2020 = list(codes), list(names)
    for code, name, succ in _rows(_NUMBERS_2020):
        for c in succ.split(","):
            i = codes.index(c)
            codes_2020[i], names_2020[i] = code, name
    old = _rows(_NUMBERS_2019)
    old_codes, old_names = tuple(r[0] for r in old), tuple(r[1] for r in old)
    of_2017 = _earlier(_NUMBERS_2017, old_codes, old_names)
    return Kommuner(
        codes=codes,
        names=tuple(names),
        weight=np.array([float(r[2]) for r in new]),
        codes_2020=tuple(codes_2020),
        names_2020=tuple(names_2020),
        old_codes=old_codes,
        old_names=old_names,
        old_successors=tuple(tuple(codes.index(c) for c in r[2].split(",")) for r in old),
        of_2017=of_2017,
        of_2016=_earlier(_NUMBERS_2016, of_2017.codes, of_2017.names),
    )


def _periodic_list(periods: list[dict[str, str]]) -> tuple[Code, ...]:
    """Codes with validity from one ``{code: name}`` per period of :data:`PERIODS`.

    A code with the same name in consecutive periods is one entry spanning them.
    """
    out: list[Code] = []
    open_entries: dict[str, tuple[str, int | None]] = {}
    for (first, _), table in zip(PERIODS, periods, strict=True):
        for code in list(open_entries):
            name, since = open_entries[code]
            if table.get(code) != name:
                out.append(Code(code, name, since, first - 1))
                del open_entries[code]
        for code, name in table.items():
            if code not in open_entries:
                open_entries[code] = (name, first)
    out += [Code(code, name, since, None) for code, (name, since) in open_entries.items()]
    return tuple(sorted(out, key=lambda c: (c.code, c.valid_from or 0)))


@cache
def code_list() -> tuple[Code, ...]:
    """The kommune code list with validity: the numbers of 2016, 2017, 2018–2019, 2020–2023, 2024."""
    k = kommuner()
    return _periodic_list(
        [
            dict(zip(k.of_2016.codes, k.of_2016.names, strict=True)),
            dict(zip(k.of_2017.codes, k.of_2017.names, strict=True)),
            dict(zip(k.old_codes, k.old_names, strict=True)),
            dict(zip(k.codes_2020, k.names_2020, strict=True)),
            dict(zip(k.codes, k.names, strict=True)),
        ]
    )


def fylke_code_list() -> tuple[Code, ...]:
    """The county code list with validity: 19 counties until 2017, 18 in 2018–2019, 11 in
    2020–2023 and 15 from 2024."""
    return _periodic_list(
        [FYLKER_BEFORE_2018, FYLKER_BEFORE_2018, FYLKER_BEFORE_2020, FYLKER_2020, FYLKER_2024]
    )
