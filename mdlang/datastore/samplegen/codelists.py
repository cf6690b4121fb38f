"""Code lists of the sample register: SSB classifications where public, plausible ones elsewhere.

Each list is a tuple of :class:`Code`; :func:`simple` builds one from ``"code=label"`` pairs.
Sizes match register-catalogue.csv exactly (a test checks them).
"""

from __future__ import annotations

from functools import cache

from mdlang.datastore.metadata import Code


def simple(text: str) -> tuple[Code, ...]:
    """Codes from ``"1=Mann|2=Kvinne"``."""
    out = []
    for item in text.split("|"):
        code, label = item.split("=", 1)
        out.append(Code(code.strip(), label.strip()))
    return tuple(out)


SEX = simple("1=Mann|2=Kvinne")
STATUSKODE = simple("1=Bosatt|3=Utvandret|5=Død")
SIVSTAND = simple(
    "0=Uoppgitt|1=Ugift|2=Gift|3=Enke/enkemann|4=Skilt|5=Separert|6=Registrert partner|"
    "7=Separert partner|8=Skilt partner|9=Gjenlevende partner"
)
GRADES = simple("1=Karakter 1|2=Karakter 2|3=Karakter 3|4=Karakter 4|5=Karakter 5|6=Karakter 6")
INVKAT = simple(
    "A=Født i Norge med to norskfødte foreldre|B=Innvandrer|C=Norskfødt med innvandrerforeldre|"
    "D=Utenlandsfødt med én norskfødt forelder|E=Norskfødt med én utenlandsfødt forelder|"
    "F=Utenlandsfødt med to norskfødte foreldre"
)
INNGRUNN = simple("ARB=Arbeid|FAM=Familie|FLU=Flukt|UTD=Utdanning|ANN=Annet|UOP=Uoppgitt")
LANDBAK = simple("1=Norge|2=EU/EØS, USA, Canada, Australia og New Zealand|3=Resten av verden")
SOSBAK = simple(
    "1=Foreldre med grunnskole|2=Foreldre med videregående|3=Foreldre med kort høyere utdanning|"
    "4=Foreldre med lang høyere utdanning|9=Uoppgitt"
)
PERSONKODE = simple(
    "1=Referanseperson (eldste partner)|2=Ektefelle, partner eller samboer (yngste partner)|"
    "3=Barn|4=Uoppgitt"
)
#: SSB's parstatus codes (BEFOLKNING_PARSTATUS): couples by kind, children by their family.
PARSTATUS = simple(
    "0=Ikke i familie med par (enslig eller barn av enslig)|1=Ektefelle i par av ulikt kjønn|"
    "2=Ektefelle i par av likt kjønn eller registrert partner|3=Samboer med felles barn|"
    "5=Samboer uten felles barn, par av ulikt kjønn, samme par som året før|"
    "6=Samboer uten felles barn, par av ulikt kjønn, nytt par med felles flyttedato|"
    "7=Samboer uten felles barn, par av ulikt kjønn, nytt par med ulik flyttedato|"
    "8=Barn i familie med par|p=Imputert par (adresse med tre eller flere husholdninger)|"
    "u=Imputert par av unge enslige"
)
HUSHTYPE = simple(
    "1=Aleneboende|2=Par uten hjemmeboende barn|3=Par med hjemmeboende barn|"
    "4=Mor eller far med hjemmeboende barn|5=Flerfamiliehusholdning"
)
BYGNINGSTYPE = simple(
    "111=Enebolig|121=Tomannsbolig|131=Rekkehus, kjedehus|142=Boligblokk|"
    "151=Bygning for bofellesskap|199=Annen boligbygning"
)
BRUKSENHETSTYPE = simple("B=Bolig|U=Unummerert bruksenhet|A=Annet enn bolig")
TRANGBODD = simple("0=Ikke trangbodd|1=Trangbodd|8=Ikke beregnet|9=Uoppgitt")
ANSETTELSESFORM = simple(
    "fast=Fast ansettelse|midlertidig=Midlertidig ansettelse|laerling=Lærling|"
    "selvstendig=Selvstendig næringsdrivende|tilkalling=Tilkallingsvikar|ukjent=Ukjent"
)
HOVEDARBEID = simple("H=Hovedarbeidsforhold|B=Biarbeidsforhold")
HELDELTID = simple("H=Heltid|D=Deltid")
TIDSORDNING = simple(
    "ikkeSkift=Ikke skift|dogn=Døgnkontinuerlig skift|skift365=Helkontinuerlig skift|"
    "offshore=Offshore|toSkift=Toskift|treSkift=Treskift|turnus=Turnus|ukjent=Ukjent"
)
ARBMARK = simple(
    "1=Lønnstaker|2=Selvstendig næringsdrivende|3=Lønnstaker og selvstendig|"
    "4=Registrert ledig eller på tiltak|5=Under utdanning|6=Utenfor arbeidsstyrken"
)
TILTAK = simple(
    "1=Helt ledig|2=Delvis ledig|3=På arbeidsmarkedstiltak|4=Nedsatt arbeidsevne|9=Annen"
)
#: Job-seeker main groups (ARBSOEK2001FDT_HOVED): SSB's codes are unpadded, '1' to '15'
#: (microdata.no variable page); 10–15 split reduced work capacity by follow-up decision.
ARBSOEK = simple(
    "1=Helt ledige|2=Delvis sysselsatte|3=Ordinære tiltaksdeltakere|4=Andre ordinære arbeidssøkere|"
    "5=Yrkeshemmede|6=Andre registrert i Arena|7=Andre som mottar service|8=Uoppgitt|9=Uoppgitt|"
    "10=Nedsatt arbeidsevne, behov for oppfølgingsvedtak|"
    "11=Nedsatt arbeidsevne, oppfølgingsvedtak uten behov for tiltak|"
    "12=Nedsatt arbeidsevne, tiltak vedtatt, plan mangler|"
    "13=Nedsatt arbeidsevne, tiltak vedtatt, plan godkjent|14=Nedsatt arbeidsevne, på tiltak|"
    "15=Nedsatt arbeidsevne, ikke på arbeidsrettet tiltak"
)
SOSHJELP = simple("0=Mottar ikke|1=Mottar økonomisk sosialhjelp")
#: Fuel (KJORETOY_DRIVSTOFF_OMK), two-digit like SSB's: official scripts take '01'/'02' as the
#: fossil fuels and '05' as electricity; '03' and '04' are the sample's reading of the rest.
DRIVSTOFF = simple("01=Bensin|02=Diesel|03=Gass og andre drivstoff|04=Hybrid|05=Elektrisitet")
BRUKTIMP = simple("J=Bruktimportert|N=Ikke bruktimportert")
KJ_ART = simple("10=Privat|20=Næring|30=Utleie|90=Annet")
PRISOMRADE = simple("NO1=Øst-Norge|NO2=Sør-Norge|NO3=Midt-Norge|NO4=Nord-Norge|NO5=Vest-Norge")
KURS_NUS = simple(
    "3=Videregående, grunnutdanning|4=Videregående, avsluttende|5=Påbygging til videregående|"
    "6=Universitet og høgskole, lavere nivå|7=Universitet og høgskole, høyere nivå|8=Forskernivå|9=Uoppgitt"
)
KURS_EIERF = simple("1=Offentlig|2=Privat|9=Uoppgitt")
KURS_KOMP = simple("1=Studiekompetanse|2=Yrkeskompetanse|3=Kompetanse på lavere nivå")
KURS_ORG = simple("1=Heltid|2=Deltid|3=Nettbasert")
KURS_UH = simple("1=Universitet|2=Vitenskapelig høgskole|3=Statlig høgskole|4=Privat høgskole")
STYRK_MAJOR = simple(
    "1=Ledere|2=Akademiske yrker|3=Høyskoleyrker|4=Kontoryrker|5=Salgs- og serviceyrker|"
    "6=Bønder, fiskere o.l.|7=Håndverkere|8=Prosess- og maskinoperatører, transportarbeidere mv.|"
    "9=Renholdere, hjelpearbeidere mv."
)
STYRK_SUBMAJOR = simple(
    "11=Politikere og toppledere|12=Administrative ledere|13=Ledere innen produksjon og tjenesteyting|"
    "14=Ledere innen hotell, handel og service|21=Ingeniører og naturvitere|22=Helsefaglige yrker|"
    "23=Undervisningsyrker|24=Økonomiske og administrative yrker|25=IKT-rådgivere|"
    "26=Juridiske, sosialfaglige og kulturelle yrker|31=Ingeniører og teknikere|"
    "32=Helsearbeidere på høyskolenivå|33=Yrker innen økonomi og administrasjon|"
    "34=Yrker innen juss, sosialfag og kultur|35=IKT-teknikere|41=Kontorarbeidere|"
    "42=Kundeserviceyrker|43=Regnskaps- og lagerarbeidere|44=Andre kontoryrker|51=Serviceyrker|"
    "52=Salgsyrker|53=Omsorgsarbeidere|54=Sikkerhetsarbeidere|61=Bønder og gartnere|"
    "62=Skogbrukere og fiskere|71=Byggearbeidere|72=Metallarbeidere og mekanikere|"
    "73=Håndverkere innen grafisk og kunsthåndverk|74=Elektrikere og elektronikkreparatører|"
    "75=Andre håndverkere|81=Prosess- og maskinoperatører|82=Montører|83=Transportarbeidere|"
    "91=Renholdere|92=Hjelpearbeidere i landbruk og fiske|93=Hjelpearbeidere i industri og bygg|"
    "94=Hjelpearbeidere innen matlaging|96=Renovasjonsarbeidere og andre"
)
NACE_SECTIONS = simple(
    "A=Jordbruk, skogbruk og fiske|B=Bergverksdrift og utvinning|C=Industri|D=Elektrisitets-, gass-, "
    "damp- og varmtvannsforsyning|E=Vannforsyning, avløp og renovasjon|F=Bygge- og anleggsvirksomhet|"
    "G=Varehandel, reparasjon av motorvogner|H=Transport og lagring|I=Overnattings- og serveringsvirksomhet|"
    "J=Informasjon og kommunikasjon|K=Finansierings- og forsikringsvirksomhet|L=Omsetning og drift av fast "
    "eiendom|M=Faglig, vitenskapelig og teknisk tjenesteyting|N=Forretningsmessig tjenesteyting|"
    "O=Offentlig administrasjon og forsvar|P=Undervisning|Q=Helse- og sosialtjenester|R=Kulturell "
    "virksomhet, underholdning og fritid|S=Annen tjenesteyting|T=Lønnet arbeid i private husholdninger|"
    "U=Internasjonale organisasjoner"
)

#: NUS2000 first digit (level) and second digit (field of study), SSB's published names.
NUS_LEVELS = {
    0: "Ingen utdanning og førskoleutdanning",
    1: "Barneskoleutdanning",
    2: "Ungdomsskoleutdanning",
    3: "Videregående, grunnutdanning",
    4: "Videregående, avsluttende utdanning",
    5: "Påbygging til videregående utdanning",
    6: "Universitets- og høgskoleutdanning, lavere nivå",
    7: "Universitets- og høgskoleutdanning, høyere nivå",
    8: "Forskerutdanning",
}
NUS_FIELDS = {
    0: "allmenne fag",
    1: "humanistiske og estetiske fag",
    2: "lærerutdanninger og pedagogikk",
    3: "samfunnsfag og juridiske fag",
    4: "økonomiske og administrative fag",
    5: "naturvitenskapelige fag, håndverksfag og tekniske fag",
    6: "helse-, sosial- og idrettsfag",
    7: "primærnæringsfag",
    8: "samferdsels- og sikkerhetsfag og andre servicefag",
    9: "uoppgitt fagfelt",
}


def nus_code(level: int, field: int) -> str:
    """Six-digit NUS2000-shaped code of a level and field (the last four digits are synthetic)."""
    return f"{level}{field}9999" if level >= 3 else f"{level}0{'1' if level else '0'}099"


@cache
def nus_code_list() -> tuple[Code, ...]:
    """NUS2000-shaped education codes: one per level (0–2) and per level × field (3–8)."""
    out = [Code(nus_code(lv, 0), NUS_LEVELS[lv]) for lv in (0, 1, 2)]
    for lv in range(3, 9):
        for f, fname in NUS_FIELDS.items():
            out.append(Code(nus_code(lv, f), f"{NUS_LEVELS[lv]}, {fname}"))
    return tuple(out)


#: SSB's three-digit country codes (Standard for landkoder / land og statsborgerskap i
#: personstatistikk, KLASS 91, whose numbers appear as the fourth element, "SSB-3", of SSB's code
#: references): Norway 000, Europe 1xx, Africa 2xx–3xx, Asia 4xx–5xx, North and Central America
#: 6xx, South America 7xx, Oceania 8xx, stateless 980, unknown 990. Numbers from the SSB-to-ISO
#: table of github.com/tazjin/ssb-to-iso (built from KLASS 91) and SSB's version notes (the
#: former states 116, 125 and 142); names in Norwegian are the sample's own wording.
_COUNTRIES = """
000=Norge|101=Danmark|102=Grønland|103=Finland|104=Færøyene|105=Island|106=Sverige|111=Albania
112=Belgia|113=Bulgaria|114=Andorra|115=Estland|116=Jugoslavia (til 1992)|117=Frankrike
118=Gibraltar|119=Hellas|120=Belarus|121=Irland|122=Kroatia|123=Italia|124=Latvia
125=Jugoslavia (Serbia og Montenegro, 1992–2006)|126=Malta|127=Nederland|128=Liechtenstein
129=Luxembourg|130=Monaco|131=Polen|132=Portugal|133=Romania|134=San Marino|136=Litauen
137=Spania|138=Moldova|139=Storbritannia|140=Russland|141=Sveits|142=Tsjekkoslovakia (til 1992)
143=Tyrkia|144=Tyskland|146=Slovenia|148=Ukraina|152=Ungarn|153=Østerrike|154=Vatikanstaten
155=Bosnia-Hercegovina|156=Nord-Makedonia|157=Slovakia|158=Tsjekkia|159=Serbia|160=Montenegro
161=Kosovo|162=Guernsey|163=Jersey|164=Man
203=Algerie|204=Angola|205=Botswana|209=St. Helena|213=Det britiske territoriet i Indiahavet
216=Burundi|220=Komorene|229=Benin|235=Ekvatorial-Guinea|239=Elfenbenskysten|241=Eritrea
246=Etiopia|249=Egypt|250=Djibouti|254=Gabon|256=Gambia|260=Ghana|264=Guinea|266=Guinea-Bissau
270=Kamerun|273=Kapp Verde|276=Kenya|278=Kongo-Brazzaville|279=Kongo, Den demokratiske republikken
281=Lesotho|283=Liberia|286=Libya|289=Madagaskar|296=Malawi|299=Mali|303=Marokko|304=Vest-Sahara
306=Mauritania|307=Mauritius|308=Namibia|309=Niger|313=Nigeria|319=Mosambik|322=Mayotte
323=Réunion|326=Zimbabwe|329=Rwanda|333=São Tomé og Príncipe|336=Senegal
337=Den sentralafrikanske republikk|338=Seychellene|339=Sierra Leone|346=Somalia|355=Sør-Sudan
356=Sudan|357=Eswatini|359=Sør-Afrika|369=Tanzania|373=Tsjad|376=Togo|379=Tunisia|386=Uganda
389=Zambia|393=Burkina Faso
404=Afghanistan|406=Armenia|407=Aserbajdsjan|409=Bahrain|410=Bangladesh|412=Bhutan|416=Brunei
420=Myanmar|424=Sri Lanka|426=De forente arabiske emirater|428=Filippinene|430=Georgia
432=Taiwan|436=Hongkong|444=India|448=Indonesia|452=Irak|456=Iran|460=Israel|464=Japan
476=Jordan|478=Kambodsja|480=Kasakhstan|484=Kina|488=Nord-Korea|492=Sør-Korea|496=Kuwait
500=Kypros|502=Kirgisistan|504=Laos|508=Libanon|510=Macao|512=Malaysia|513=Maldivene
516=Mongolia|520=Oman|524=Palestina|528=Nepal|534=Pakistan|537=Øst-Timor|540=Qatar
544=Saudi-Arabia|548=Singapore|550=Tadsjikistan|552=Turkmenistan|554=Usbekistan|564=Syria
568=Thailand|575=Vietnam|578=Jemen
601=De amerikanske jomfruøyene|602=Barbados|603=Antigua og Barbuda|604=Belize|605=Bahamas
606=Bermuda|608=De britiske jomfruøyene|612=Canada|613=Caymanøyene|616=Costa Rica|620=Cuba
622=Dominica|624=Den dominikanske republikk|629=Grenada|631=Guadeloupe|632=Guatemala|636=Haiti
644=Honduras|648=Jamaica|650=Martinique|652=Mexico|654=Montserrat|657=Aruba|658=Sint Maarten
659=Bonaire, Sint Eustatius og Saba|660=Anguilla|661=Curaçao|664=Nicaragua|668=Panama
672=El Salvador|676=Saint-Pierre og Miquelon|677=Saint Kitts og Nevis|678=Saint Lucia
679=Saint Vincent og Grenadinene|680=Trinidad og Tobago|681=Turks- og Caicosøyene|684=USA
685=Puerto Rico|686=Saint-Martin|687=Saint-Barthélemy
705=Argentina|710=Bolivia|715=Brasil|720=Guyana|725=Chile|730=Colombia|735=Ecuador
740=Falklandsøyene|745=Fransk Guyana|755=Paraguay|760=Peru|765=Surinam|770=Uruguay|775=Venezuela
802=Amerikansk Samoa|805=Australia|806=Salomonøyene|807=Christmasøya|808=Kokosøyene|809=Cookøyene
811=Fiji|812=Vanuatu|813=Tonga|814=Fransk Polynesia|815=Kiribati|816=Tuvalu|817=Guam|818=Nauru
819=USAs ytre småøyer|820=New Zealand|821=Niue|822=Norfolkøya|826=Mikronesiaføderasjonen
827=Papua Ny-Guinea|828=Pitcairn|829=Tokelau|830=Samoa|832=Wallis og Futuna|833=Ny-Caledonia
835=Marshalløyene|839=Palau|840=Nord-Marianene|912=De franske sørlige territorier
980=Statsløs|990=Uoppgitt
"""

#: Size of BEFOLKNING_FODELAND's code list in the catalogue.
COUNTRY_LIST_SIZE = 287


@cache
def ssb_countries() -> tuple[Code, ...]:
    """SSB's country codes that the sample knows (real numbers, Norwegian names)."""
    return simple(
        "|".join(x.strip() for x in _COUNTRIES.strip().replace("\n", "|").split("|") if x.strip())
    )


@cache
def country_code_list() -> tuple[Code, ...]:
    """287 country codes: SSB's three-digit codes, and unused 9xx codes as labelled placeholders.

    SSB's list in the catalogue also holds former countries and territories that the public
    sources do not number; the placeholders (9xx codes SSB does not use: SSB's 9xx are 912, 980
    and 990) only bring the list to the catalogue's size and are never assigned to anyone.
    """
    known = ssb_countries()
    used = {c.code for c in known}
    filler = [
        Code(f"{n:03d}", f"Plassholder {n:03d} (ikke SSB-kode, brukes ikke)")
        for n in range(900, 1000)
        if f"{n:03d}" not in used
    ]
    codes = list(known) + filler[: max(0, COUNTRY_LIST_SIZE - len(known))]
    return tuple(sorted(codes, key=lambda c: c.code))


#: Countries of birth counted as "EU/EØS, USA, Canada, Australia og New Zealand" (LANDBAK 2):
#: the EU and EEA members, the United Kingdom, Switzerland and the four named overseas countries.
WESTERN_COUNTRIES = frozenset(
    "101 102 103 104 105 106 112 113 115 117 119 121 122 123 124 126 127 128 129 131 132 133 136 "
    "137 139 141 144 146 152 153 157 158 500 612 684 805 820".split()
)


#: Family types (BEFOLKNING_REGSTAT_FAMTYP): SSB's 25 types of the standard for grouping families
#: (one-person families, couples and lone parents with children 0–5 / 6–17, couples without
#: children by the eldest partner's age, families with adult children, other families).
FAMTYP = simple(
    "1.1.1=Enpersonfamilie, under 30 år|1.1.2=Enpersonfamilie, 30–44 år|"
    "1.1.3=Enpersonfamilie, 45–66 år|1.1.4=Enpersonfamilie, 67 år og over|"
    "2.1.1=Ektepar med små barn (yngste barn 0–5 år)|2.1.2=Ektepar med store barn (yngste barn 6–17 år)|"
    "2.2.1=Samboerpar med små barn (yngste barn 0–5 år)|"
    "2.2.2=Samboerpar med store barn (yngste barn 6–17 år)|"
    "2.3.1=Mor med små barn (yngste barn 0–5 år)|2.3.2=Mor med store barn (yngste barn 6–17 år)|"
    "2.4.1=Far med små barn (yngste barn 0–5 år)|2.4.2=Far med store barn (yngste barn 6–17 år)|"
    "3.1.1=Ektepar uten barn, eldste under 30 år|3.1.2=Ektepar uten barn, eldste 30–44 år|"
    "3.1.3=Ektepar uten barn, eldste 45–66 år|3.1.4=Ektepar uten barn, eldste 67 år og over|"
    "3.1.5=Samboerpar uten barn, eldste under 30 år|3.1.6=Samboerpar uten barn, eldste 30–44 år|"
    "3.1.7=Samboerpar uten barn, eldste 45–66 år|3.1.8=Samboerpar uten barn, eldste 67 år og over|"
    "3.2.1=Ektepar med voksne barn (yngste barn 18 år og over)|"
    "3.2.2=Samboerpar med voksne barn (yngste barn 18 år og over)|"
    "3.3.1=Mor med voksne barn (yngste barn 18 år og over)|"
    "3.3.2=Far med voksne barn (yngste barn 18 år og over)|3.4.1=Andre familier"
)

#: Vehicle groups (KJORETOY_KJT_GRUP): the three-digit codes of the Norwegian vehicle register,
#: first digit the main group (1 passenger car, 2 bus, 3 van, 4 lorry, 5 combined and tractor
#: units, 6 motorcycles and mopeds, 7 trailers, 8 tractors and machinery, 9 other). 101, 106, 107,
#: 201, 210, 719, 721, 722, 723 and 729 are SSB's as published on microdata.no; the other codes
#: follow the same numbering but are the sample's own.
_VEHICLE_GROUPS = (
    "101=Personbil unntatt ambulanse|106=Personbil (ambulanse)|107=Personbil (leilighetsambulanse)|"
    "108=Personbil (bobil)|109=Personbil (drosje)|"
    "201=Buss, registrert første gang i Norge før 1.1.1983|210=Buss for færre enn 17 passasjerer|"
    "220=Buss for 17 passasjerer eller flere|230=Buss (ambulanse)|240=Buss (bobil)|"
    "301=Varebil|302=Varebil (kombinert bruk)|305=Varebil (drosje)|306=Varebil (ambulanse)|310=Varebil (bobil)|"
    "320=Varebil, tillatt totalvekt over 3500 kg|"
    "401=Lastebil|402=Lastebil (tank)|410=Lastebil (bobil)|420=Lastebil (spesialbil)|"
    "501=Kombinert bil|510=Trekkbil|520=Trekkbil for semitrailer|530=Trekkbil (tank)|"
    "601=Motorsykkel|602=Motorsykkel med sidevogn|610=Lett motorsykkel|620=Trehjuls motorsykkel|"
    "630=Moped|631=Moped, trehjuls|640=Firehjuls moped|650=Firehjuls motorsykkel|"
    "701=Slepvogn (campingvogn)|702=Slepvogn (tank)|703=Slepvogn (boligvogn)|"
    "704=Slepvogn til traktor|710=Tilhenger, tillatt totalvekt inntil 750 kg|"
    "711=Tilhenger, tillatt totalvekt over 750 kg|719=Slepvogn, annen slepvogn|"
    "721=Semitrailer (med tank), ikke til traktor|722=Semitrailer (til traktor)|"
    "723=Semitrailer (campingtilhenger)|729=Semitrailer, annen semitrailer|"
    "801=Traktor|802=Beltetraktor|803=Traktor med begrenset hastighet|810=Motorredskap|"
    "811=Motorredskap, beltegående|820=Terrengkjøretøy|830=Tilhengerredskap|"
    "901=Beltemotorsykkel|902=Snøscooter|903=Beltebil|910=Veterankjøretøy|"
    "920=Kjøretøy for utrykning|930=Kjøretøy for arbeid på veg|990=Annet kjøretøy"
)

#: Codes the generator assigns most often: passenger cars and vans.
PASSENGER_CAR = "101"
VAN = "301"


@cache
def vehicle_groups() -> tuple[Code, ...]:
    """57 vehicle group codes in SSB's three-digit form."""
    return simple(_VEHICLE_GROUPS)
