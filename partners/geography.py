"""The divisions and districts of J&K, as seeded by migration (partners/migrations/0002)."""

JAMMU_DISTRICTS = [
    "Jammu",
    "Samba",
    "Kathua",
    "Udhampur",
    "Reasi",
    "Rajouri",
    "Poonch",
    "Doda",
    "Ramban",
    "Kishtwar",
]
KASHMIR_DISTRICTS = [
    "Srinagar",
    "Budgam",
    "Ganderbal",
    "Anantnag",
    "Kulgam",
    "Pulwama",
    "Shopian",
    "Baramulla",
    "Bandipora",
    "Kupwara",
]
DIVISIONS = {"jammu": ("Jammu", JAMMU_DISTRICTS), "kashmir": ("Kashmir", KASHMIR_DISTRICTS)}

# Each district's Census 2011 code: the two digits of a Udyam number after the state's letters
# (UDYAM-JK-14-0001234 is registered in Anantnag). Census 2011 spells some names otherwise (Badgam,
# Punch, Baramula, Bandipore, Shupiyan); 03 and 04, Leh and Kargil, are Ladakh's since 2019.
# Seeded onto District.census_code by partners/migrations/0006; the demo's Udyam numbers carry them.
CENSUS_2011_DISTRICT_CODES = {
    "Kupwara": "01",
    "Budgam": "02",
    "Poonch": "05",
    "Rajouri": "06",
    "Kathua": "07",
    "Baramulla": "08",
    "Bandipora": "09",
    "Srinagar": "10",
    "Ganderbal": "11",
    "Pulwama": "12",
    "Shopian": "13",
    "Anantnag": "14",
    "Kulgam": "15",
    "Doda": "16",
    "Ramban": "17",
    "Kishtwar": "18",
    "Udhampur": "19",
    "Reasi": "20",
    "Jammu": "21",
    "Samba": "22",
}

# The state's codes in national identifiers: a GSTIN begins with the GST state code, a Udyam
# number (UDYAM-JK-00-0000000) carries the state's letters.
GST_STATE_CODE = "01"
UDYAM_STATE_CODE = "JK"
