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

# The state's codes in national identifiers: a GSTIN begins with the GST state code, a Udyam
# number (UDYAM-JK-00-0000000) carries the state's letters.
GST_STATE_CODE = "01"
UDYAM_STATE_CODE = "JK"
