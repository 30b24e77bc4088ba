"""The contracts a failed generated test reports: each names a real generated test and a
real note."""

import re

from kgen.contracts import CONTRACTS, failure_texts
from kgen.explanations import NOTES
from kgen.render import TEMPLATES


def test_every_contract_names_a_generated_test_and_an_existing_note():
    generated = set()
    for template in TEMPLATES.rglob("*.j2"):
        text = template.read_text()
        generated |= set(re.findall(r"def (test_\w+)\(", text))
        generated |= set(re.findall(r'on_defaults_and_samples\("(test_\w+)"', text))
    for name, contract in CONTRACTS.items():
        assert name in generated, name
        assert contract.note is None or contract.note in NOTES, name


def test_a_contract_with_a_note_tells_its_usual_mistake():
    text = failure_texts()["test_train_step_scales_the_loss_for_mixed_precision"]
    assert text.startswith("train_step must scale the loss for a LossScaleOptimizer.")
    assert f"The usual mistake: {NOTES['scale_loss'].mistake}" in text
