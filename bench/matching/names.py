"""The word lists the synthetic people are made from (bench/people_synth.py).

Names are common ones, each with a rough weight (how common, relative to the
others in its list), so that popular names collide as they do in life: many
John Smiths, few Fionnlagh MacLeòids. Written as typed, accents included,
because folding them is part of what matching has to get right.
"""

# (heritage, share of households, given names, family names); "Name:weight", weight 1 if none.
HERITAGE = (
    (
        "scottish",
        0.84,
        """James:40 John:38 David:36 Robert:30 William:28 Andrew:26 Michael:24 Peter:18
        Stephen:18 Mark:16 Paul:16 Scott:14 Craig:14 Ross:12 Gary:10 Kenneth:10 Alan:12
        Colin:10 Graham:10 Ian:10 Stuart:10 Steven:10 Christopher:12 Richard:10 Thomas:14
        George:12 Charles:8 Joseph:8 Matthew:10 Ryan:10 Jamie:10 Euan:8 Fraser:8 Kyle:6
        Liam:8 Connor:8 Archie:6 Angus:6 Hamish:3 Duncan:5 Malcolm:5 Neil:7 Donald:6 Hugh:5
        Alistair:6 Gordon:6 Brian:7 Derek:5 Douglas:5 Edward:5 Francis:4 Anthony:6 Patrick:6
        Martin:7 Sean:6 Kevin:7 Jack:14 Lewis:10 Harris:5 Rory:6 Finlay:6 Lucas:5 Callum:8
        Oliver:8 Noah:5 Leo:5 Alexander:10 Daniel:12 Samuel:6 Benjamin:6 Adam:8 Aaron:5
        Mary:30 Margaret:28 Elizabeth:24 Catherine:20 Sarah:22 Emma:18 Laura:16 Lisa:12
        Karen:14 Fiona:14 Anne:16 Helen:14 Susan:14 Jennifer:12 Lorna:6 Kirsty:10 Gillian:8
        Nicola:12 Claire:12 Rachel:10 Rebecca:10 Jessica:8 Hannah:10 Amy:10 Lauren:10
        Megan:8 Chloe:8 Kathleen:6 Jean:8 Agnes:4 Isobel:5 Christine:8 Elaine:7 Linda:8
        Patricia:7 Janet:7 Alison:9 Joanne:8 Louise:10 Heather:7 Shona:5 Rhona:4 Kayleigh:4
        Jade:5 Abigail:5 Victoria:7 Alexandra:5 Jacqueline:6 Pamela:6 Sandra:7 Wendy:5
        Dorothy:5 Barbara:6 Joan:6 Sheila:6 Olivia:8 Isla:8 Emily:10 Sophie:10 Ava:6
        Amelia:6 Freya:6 Ella:6 Grace:8 Lily:6 Mia:5 Millie:4 Ellie:6 Charlotte:8 Caitlin:6
        Eilidh:5 Ailsa:4 Morag:4 Mhairi:4 Catriona:4""",
        """Smith:30 Brown:25 Wilson:24 Campbell:22 Stewart:21 Thomson:20 Robertson:20
        Anderson:19 MacDonald:18 Scott:17 Reid:16 Murray:16 Taylor:15 Clark:14 Ross:13
        Watson:13 Morrison:13 Paterson:12 Young:12 Mitchell:12 Walker:12 Fraser:12 Miller:11
        McDonald:11 Gray:10 Henderson:10 Hamilton:10 Johnston:10 Duncan:10 Graham:10
        Ferguson:10 Kerr:10 Davidson:10 Bell:10 Cameron:10 Kelly:9 Martin:9 Hunter:9 Allan:9
        Mackenzie:9 Grant:9 Simpson:8 MacKay:8 McLean:8 MacLeod:8 Black:8 Russell:8
        Marshall:8 Wallace:8 Gibson:8 Kennedy:8 Gordon:8 Sutherland:7 Murphy:7 Wright:7
        Craig:7 Stevenson:7 Burns:7 Boyle:6 MacKinnon:6 Sinclair:6 Crawford:6 Milne:6
        Munro:6 Ritchie:6 Docherty:6 Shaw:6 Hughes:6 Lindsay:5 Hay:5 Rae:5 Buchanan:5
        McIntyre:5 McKenzie:5 Mackintosh:4 Baird:4 Jamieson:4 Lamont:4 Ogilvie:3 Dunbar:3
        Urquhart:3 Farquharson:3 Drummond:3 Menzies:3 Gunn:3 Chisholm:3 Macpherson:4
        Maclean:4 O'Neill:5 O'Donnell:3 McLaughlin:4 Quinn:3 Johnstone:4 Wood:4 Moore:4
        Jones:4 Williams:4 Davies:3 Evans:3 Thompson:4 White:4 Green:4 Hall:3 Hill:3
        Clarke:3 Jackson:3 Lawson:3 Fleming:3 Kirk:3 Forbes:3 Bruce:3 Wilkie:2 Christie:3
        Hogg:2 Cunningham:3 Gillespie:2 McGregor:3 Nicol:2 Dickson:3 Aitken:3 Brodie:2
        Campbell-Reid:1 Smith-Jones:1 de_la_Cruz:1""",
    ),
    (
        "gaelic",
        0.03,
        """Iain:6 Seumas:4 Ruairidh:4 Calum:6 Dòmhnall:4 Tormod:3 Aonghas:3 Fionnlagh:2
        Coinneach:2 Uilleam:2 Raghnall:1 Eòghann:2 Mòrag:5 Eilidh:6 Ailsa:4 Màiri:5
        Catrìona:4 Seònaid:3 Ceit:2 Peigi:2 Iseabail:2 Oighrig:1 Mairead:3 Sìne:2""",
        """MacAoidh:4 MacLeòid:5 MacDhòmhnaill:5 NicDhòmhnaill:3 MacCoinnich:3 NicLeòid:3
        MacGriogair:2 MacIlleathain:2 MacLeod:6 MacDonald:6 MacKay:4 MacKenzie:4
        MacNeil:3 MacInnes:3 Morrison:4 Matheson:3 Nicolson:3 MacAulay:3""",
    ),
    (
        "polish",
        0.05,
        """Piotr:6 Krzysztof:5 Tomasz:6 Paweł:5 Łukasz:5 Michał:5 Marcin:5 Jakub:5
        Katarzyna:6 Agnieszka:5 Małgorzata:5 Magdalena:5 Joanna:5 Anna:6 Ewa:4 Zofia:3
        Wojciech:3 Monika:4 Aleksandra:4 Bartosz:3""",
        """Kowalski:6 Kowalska:5 Nowak:8 Wiśniewski:5 Wiśniewska:4 Wójcik:5 Kamiński:4
        Lewandowski:4 Zieliński:4 Szymański:4 Woźniak:4 Dąbrowski:3 Kozłowski:3
        Jankowski:3 Mazur:3 Krawczyk:3""",
    ),
    (
        "ukrainian",
        0.02,
        """Oleksandr:6 Dmytro:5 Mykola:4 Andrii:5 Serhii:5 Volodymyr:4 Olena:6 Iryna:5
        Oksana:5 Yuliia:4 Nataliia:4 Tetiana:4 Kateryna:4 Viktoriia:3 Bohdan:3""",
        """Shevchenko:6 Kovalenko:5 Bondarenko:5 Tkachenko:4 Kravchenko:4 Oliinyk:4 Melnyk:5
        Boiko:4 Koval:4 Shevchuk:3 Polishchuk:3 Lysenko:3""",
    ),
    (
        "arabic",
        0.06,
        """Mohammed:10 Muhammad:8 Ahmed:6 Ali:6 Omar:5 Yusuf:5 Hassan:5 Ibrahim:4 Bilal:4
        Hamza:4 Imran:4 Asif:3 Fatima:8 Aisha:6 Zainab:5 Maryam:5 Amina:4 Noor:4 Layla:4
        Khadija:3 Samira:3 Sana:3 Yasmin:4 Nadia:3""",
        """Khan:10 Ahmed:8 Ali:7 Hussain:6 Rahman:5 Malik:5 Iqbal:4 Mohammed:4 Akhtar:4
        Shah:4 Haddad:2 Mansour:2 Saleh:2 Abdullah:3 Hassan:3 Bashir:3 Aslam:3 Chaudhry:3""",
    ),
)

# Scottish outward code areas: (area, lowest district, highest district, weight, post
# town, landline dialling code without its leading 0).
OUTWARD = (
    ("G", 1, 84, 30, "Glasgow", "141"),
    ("EH", 1, 55, 24, "Edinburgh", "131"),
    ("AB", 10, 56, 10, "Aberdeen", "1224"),
    ("DD", 1, 11, 6, "Dundee", "1382"),
    ("KY", 1, 16, 7, "Kirkcaldy", "1592"),
    ("FK", 1, 21, 6, "Falkirk", "1324"),
    ("PA", 1, 80, 7, "Paisley", "141"),
    ("ML", 1, 12, 6, "Motherwell", "1698"),
    ("KA", 1, 30, 7, "Kilmarnock", "1563"),
    ("PH", 1, 50, 4, "Perth", "1738"),
    ("IV", 1, 63, 4, "Inverness", "1463"),
    ("DG", 1, 16, 3, "Dumfries", "1387"),
    ("TD", 1, 15, 2, "Galashiels", "1896"),
    ("KW", 1, 17, 1, "Wick", "1955"),
    ("HS", 1, 9, 0.5, "Stornoway", "1851"),
    ("ZE", 1, 3, 0.5, "Lerwick", "1595"),
)

STREETS = (
    "High Street",
    "Main Street",
    "Station Road",
    "Church Street",
    "Victoria Road",
    "King Street",
    "Queen Street",
    "Mill Road",
    "Park Avenue",
    "Leith Walk",
    "Dalry Road",
    "Argyle Street",
    "Sauchiehall Street",
    "Union Street",
    "George Street",
    "Castle Street",
    "Bridge Street",
    "Glebe Road",
    "Kirk Wynd",
    "Burnside Crescent",
    "Muirhouse Gardens",
    "Springfield Road",
    "Dumbarton Road",
    "Great Western Road",
    "Easter Road",
    "Morningside Road",
    "Gilmerton Road",
    "Craigentinny Avenue",
    "Shore Road",
    "Harbour Street",
    "Academy Street",
    "Bank Street",
    "Market Street",
    "Hope Street",
    "Wellington Street",
    "Albert Road",
    "Cathcart Road",
    "Paisley Road West",
    "Duke Street",
    "Gallowgate",
    "Broomhill Drive",
    "Thistle Street",
    "Rose Street",
    "Heather Place",
    "Birch Grove",
    "Rowan Court",
    "Loch View",
    "Ben Nevis Way",
    "Carrick Drive",
    "Seaview Terrace",
)

# Keys next to each letter on a QWERTY keyboard: the wrong key of a typo.
KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "b": "vgn",
    "c": "xdv",
    "d": "sfe",
    "e": "wrd",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "i": "uok",
    "j": "hku",
    "k": "jli",
    "l": "kop",
    "m": "nj",
    "n": "bmh",
    "o": "ipl",
    "p": "ol",
    "q": "wa",
    "r": "etf",
    "s": "adw",
    "t": "ryg",
    "u": "yij",
    "v": "cbf",
    "w": "qes",
    "x": "zcs",
    "y": "tuh",
    "z": "xa",
}
