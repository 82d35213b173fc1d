"""ORUK v3 service records for import tests, written for this project (fictional services)."""

from __future__ import annotations

import copy
import uuid

ORG_ID = "0d6f3f5e-8a57-4c1e-9a55-3c7f1b1e2a01"
TAXONOMY_ID = "5a1e8c2d-0b7f-4f0e-8c55-2e3f4a5b6c01"
PARENT_TERM_ID = "7b2c9d3e-1c8f-4a1e-9d66-3f4a5b6c7d01"
TERM_ID = "7b2c9d3e-1c8f-4a1e-9d66-3f4a5b6c7d02"


def term(term_id: str = TERM_ID, name: str = "Parenting", parent_id: str | None = PARENT_TERM_ID) -> dict:
    data = {
        "id": term_id,
        "name": name,
        "description": f"{name} services",
        "taxonomy": "Family support categories",
        "taxonomy_id": TAXONOMY_ID,
        "term": name.lower().replace(" ", "-"),
    }
    if parent_id:
        data["parent_id"] = parent_id
    return data


def service_record(number: int = 1, **overrides) -> dict:
    """A full ORUK service. ``number`` varies the ids and names."""
    service_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-service-{number}"))

    def sub(kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-service-{number}-{kind}"))

    record = {
        "id": service_id,
        "name": f"Family Wellbeing Service {number}",
        "description": "Support for parents with low mood. Groups and one-to-one sessions.",
        "url": "https://wellbeing.example.org",
        "email": "wellbeing@example.org",
        "status": "active",
        "minimum_age": 0,
        "maximum_age": 18,
        "assured_date": "2099-01-01",
        "alert": "",
        "last_modified": "2025-03-15T10:30:45.123Z",
        "organization": {
            "id": ORG_ID,
            "name": "Wearside Wellbeing CIC",
            "description": "A community interest company.",
            "email": "hello@wearside-wellbeing.example.org",
            "website": "https://wearside-wellbeing.example.org",
        },
        "schedules": [
            {
                "id": sub("schedule"),
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "TU,TH",
                "opens_at": "10:00:00",
                "closes_at": "14:00:00",
                "valid_from": "2025-01-01",
                "description": "Tuesdays and Thursdays, 10am to 2pm.",
            }
        ],
        "service_areas": [{"id": sub("area"), "name": "Sunderland", "extent_type": "text"}],
        "service_at_locations": [
            {
                "id": sub("sal"),
                "location": {
                    "id": sub("location"),
                    "location_type": "physical",
                    "name": "Washington Family Hub",
                    "latitude": 54.9005,
                    "longitude": -1.5190,
                    "addresses": [
                        {
                            "id": sub("address"),
                            "address_1": "The Galleries",
                            "city": "Washington",
                            "state_province": "Tyne and Wear",
                            "postal_code": "ne38 7sd",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [{"id": sub("access"), "description": "Lift to all floors."}],
                },
            }
        ],
        "languages": [{"id": sub("lang-en"), "code": "en"}, {"id": sub("lang-ur"), "name": "Urdu"}],
        "cost_options": [{"id": sub("cost"), "option": "Adults", "amount": 2.5, "amount_description": "per session"}],
        "contacts": [
            {
                "id": sub("contact"),
                "name": "Sam Example",
                "title": "Team leader",
                "phones": [{"id": sub("contact-phone"), "number": "0191 498 0222"}],
            }
        ],
        "phones": [{"id": sub("phone"), "number": "0191 498 0221", "description": "Weekdays 9 to 5"}],
        "attributes": [
            {"id": sub("attr-1"), "taxonomy_term": term()},
            {"id": sub("attr-2"), "taxonomy_term": term(PARENT_TERM_ID, "Family support", parent_id=None)},
        ],
        "eligibility_description": "Parents and carers in Sunderland.",
        "application_process": "Phone or ask your GP to refer you.",
    }
    for key, value in overrides.items():
        record[key] = value
    return copy.deepcopy(record)
