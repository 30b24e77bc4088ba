"""The stamp that tells a support file kgen wrote from one the user edited."""

from kgen.support import stamped, support_contents, unedited


def test_a_stamped_file_is_unedited_until_a_byte_changes():
    text = stamped("def check():\n    pass\n")
    assert unedited(text)
    assert not unedited(text.replace("pass", "return"))
    assert not unedited(text + "\n")
    assert not unedited("def check():\n    pass\n")  # no stamp: the user's own
    assert not unedited(text.replace("(digest ", "(digest 0", 1))


def test_every_support_file_is_written_stamped():
    contents = support_contents()
    assert set(contents) == {"conftest.py", "kgen_harness.py"}
    assert all(unedited(text) for text in contents.values())
