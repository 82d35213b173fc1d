"""The domestic abuse risk identification checklist (DASH), as data.

These are the 24 questions of the SafeLives Domestic Abuse, Stalking and Harassment and
Honour Based Violence risk identification checklist (DASH RIC), put in plain English. They are
asked of the adult experiencing abuse, ideally alone and somewhere safe; "the person harming
you" stands for the name of the abuser (or abusers).

When to refer to a MARAC (multi-agency risk assessment conference), SafeLives' three criteria:

1. **Visible high risk**: 14 or more "yes" answers (``VISIBLE_HIGH_RISK_THRESHOLD``).
2. **Professional judgement**: the practitioner believes the risk is high whatever the count.
3. **Potential escalation**: the police have been called out 3 or more times in the past
   12 months because of domestic abuse (``ESCALATION_CALLOUTS``).

Any one of them is enough; ``marac_referral_indicated`` applies them to the stored answers of
the domestic abuse step.
"""

from __future__ import annotations

from dataclasses import dataclass

# SafeLives: 14 or more ticks in the "yes" column is "visible high risk" and meets the
# criterion for a MARAC referral. 13 is below the line; professional judgement still applies.
VISIBLE_HIGH_RISK_THRESHOLD = 14

# SafeLives' potential escalation criterion: 3 or more police call-outs in 12 months.
ESCALATION_CALLOUTS = 3

YES = "yes"
NO = "no"
NOT_KNOWN = "not_known"
ANSWER_CHOICES = [(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")]


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    hint: str = ""

    @property
    def field_name(self) -> str:
        return f"q{self.number:02d}"


QUESTIONS: tuple[Question, ...] = (
    Question(1, "Has the most recent incident left you injured?", "Say what the injury is and if it is the first."),
    Question(2, "Are you very frightened?"),
    Question(
        3,
        "Are you afraid of further injury or violence?",
        "Say what you think the person harming you might do, and to whom, including the children.",
    ),
    Question(
        4,
        "Do you feel cut off from family and friends?",
        "For example, does the person harming you try to stop you seeing friends, family, your doctor or others?",
    ),
    Question(5, "Are you feeling depressed or having thoughts of suicide?"),
    Question(6, "Have you separated, or tried to separate, from the person harming you in the past year?"),
    Question(7, "Is there conflict over contact with the children?"),
    Question(
        8,
        "Does the person harming you keep texting, calling, contacting, following, stalking or harassing you?",
    ),
    Question(9, "Are you pregnant, or have you had a baby in the last 18 months?"),
    Question(10, "Is the abuse happening more often?"),
    Question(11, "Is the abuse getting worse?"),
    Question(12, "Does the person harming you try to control everything you do, or are they very jealous?"),
    Question(13, "Has the person harming you ever used weapons or objects to hurt you?"),
    Question(14, "Has the person harming you ever threatened to kill you or someone else, and you believed them?"),
    Question(15, "Has the person harming you ever tried to strangle, choke, suffocate or drown you?"),
    Question(
        16,
        "Does the person harming you do or say sexual things that make you feel bad or that physically hurt you "
        "or someone else?",
    ),
    Question(17, "Is there anyone else who has threatened you or who you are afraid of?"),
    Question(
        18,
        "Do you know if the person harming you has hurt anyone else?",
        "For example, children, brothers or sisters, an older relative, a stranger or a previous partner.",
    ),
    Question(19, "Has the person harming you ever hurt an animal or the family pet?"),
    Question(
        20,
        "Are there any money problems?",
        "For example, do you depend on the person harming you for money, or have they recently lost their job?",
    ),
    Question(
        21,
        "In the past year, has the person harming you had problems with drugs (prescribed or other), alcohol or "
        "mental health that made it hard for them to lead a normal life?",
    ),
    Question(22, "Has the person harming you ever threatened or tried to take their own life?"),
    Question(
        23,
        "Has the person harming you ever broken bail, an injunction or an agreement about when they can see you "
        "or the children?",
    ),
    Question(
        24, "Do you know if the person harming you has ever been in trouble with the police or has a criminal record?"
    ),
)

FIELD_NAMES: tuple[str, ...] = tuple(q.field_name for q in QUESTIONS)


def yes_count(answers: dict) -> int:
    """How many of the 24 questions are answered "yes"."""
    return sum(1 for name in FIELD_NAMES if answers.get(name) == YES)


def marac_reasons(answers: dict) -> list[str]:
    """The MARAC referral criteria these answers meet, in plain English (empty: none met)."""
    reasons = []
    count = yes_count(answers)
    if count >= VISIBLE_HIGH_RISK_THRESHOLD:
        reasons.append(
            f"{count} questions were answered yes: {VISIBLE_HIGH_RISK_THRESHOLD} or more is visible high risk."
        )
    if answers.get("professional_judgement") == "high":
        reasons.append("Your professional judgement is that the risk is high.")
    if answers.get("police_callouts") == YES:
        reasons.append(
            f"The police have been called out {ESCALATION_CALLOUTS} or more times in the past 12 months "
            "(potential escalation)."
        )
    return reasons


def marac_referral_indicated(answers: dict | None) -> bool:
    """True when the domestic abuse step's answers meet any MARAC referral criterion."""
    return bool(answers) and bool(marac_reasons(answers))
