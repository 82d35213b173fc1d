"""Seed the thesaurus with the field's vocabulary (product data: every install needs it).
Groups already present by name are left alone, so edits made in the admin survive."""

from django.db import migrations

SEED = [
    ("Domestic abuse", "DV, domestic violence, domestic abuse, DA, abusive relationship, coercive control"),
    ("Independent domestic violence adviser", "IDVA, independent domestic violence adviser, independent domestic violence advisor"),
    ("Refuge", "refuge, safe house, women's refuge"),
    ("Autism", "ASD, autism, autistic, autism spectrum, asc"),
    ("Special educational needs", "SEND, SEN, special educational needs, special needs, EHCP, education health and care plan"),
    ("ADHD", "ADHD, attention deficit, hyperactivity"),
    ("Children's mental health", "CAMHS, children's mental health, child mental health, young people's mental health"),
    ("Mental health", "mental health, wellbeing, emotional wellbeing"),
    ("Anxiety", "anxiety, anxious, worry, worries, panic"),
    ("Low mood", "depression, depressed, low mood"),
    ("Health visitor", "HV, health visitor, health visiting"),
    ("English lessons", "ESOL, english for speakers of other languages, english classes, english lessons"),
    ("Food bank", "foodbank, food bank, food parcel, food parcels, free food"),
    ("Money", "debt, money advice, benefits advice, budgeting, financial help"),
    ("Housing", "housing, homeless, homelessness, eviction"),
    ("Young carers", "young carer, young carers"),
    ("Parenting", "parenting, parents, parent support, parenting course"),
    ("Early years", "early years, under fives, under 5s, toddler, toddlers, baby, babies, nursery"),
    ("School attendance", "school attendance, school refusal, emotionally based school avoidance, EBSA, won't go to school, not going to school, truancy"),
    ("Drugs and alcohol", "substance misuse, drugs, alcohol, drink"),
    ("Bereavement", "bereavement, grief, loss, someone died"),
    ("Breastfeeding", "breastfeeding, breast feeding, infant feeding"),
    ("Youth", "youth club, youth clubs, youth work, teenagers, teens"),
    ("Child sexual exploitation", "CSE, child sexual exploitation, child exploitation"),
    ("Family hub", "family hub, family hubs, children's centre, childrens centre"),
    ("Speech and language", "SALT, speech and language, speech therapy, talking"),
    ("Perinatal mental health", "postnatal depression, perinatal mental health, PND"),
]


def seed(apps, schema_editor):
    SynonymGroup = apps.get_model("directory_search", "SynonymGroup")
    for name, terms in SEED:
        if not SynonymGroup.objects.filter(name=name).exists():
            SynonymGroup.objects.create(name=name, terms="\n".join(t.strip() for t in terms.split(",")))


def unseed(apps, schema_editor):
    SynonymGroup = apps.get_model("directory_search", "SynonymGroup")
    SynonymGroup.objects.filter(name__in=[name for name, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0002_engine_specific")]

    operations = [migrations.RunPython(seed, unseed)]
