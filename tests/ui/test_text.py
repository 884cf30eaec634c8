from jpm_tui.ui.text import clean, plain


def test_markup_is_literal():
    assert plain("[bold red]x[/]").plain == "[bold red]x[/]"
    assert plain("[bold red]x[/]").spans == []


def test_escape_sequences_are_removed_whole():
    assert clean("a\x1b[31mred\x1b[0m b") == "ared b"                 # CSI (SGR)
    assert clean("x\x1b[2J\x1b[Hy") == "xy"                           # clear screen, cursor home
    assert clean("x\x1b]52;c;ZXZpbA==\x07y") == "xy"                  # OSC 52 clipboard write, BEL-terminated
    assert clean("x\x1b]0;title\x1b\\y") == "xy"                      # OSC, ST-terminated
    assert clean("x\x1bPq#0;2\x1b\\y") == "xy"                        # DCS (sixel)
    assert clean("x\x9b2Jy") == "xy"                                  # 8-bit CSI
    assert clean("x\x9d0;t\x9cy") == "xy"                             # 8-bit OSC
    assert clean("unterminated \x1b]0;title") == "unterminated "
    assert clean("lone\x1b") == "lone"
    assert clean("keypad\x1b=mode") == "keypadmode"


def test_controls_are_dropped_and_newlines_handled():
    assert clean("a\x00b\x07c\x08d\x7fe") == "abcde"
    assert clean("a\tb") == "a b"
    assert clean("one\r\ntwo\rthree\nfour") == "one two three four"
    assert clean("one\r\ntwo\rthree\nfour", multiline=True) == "one\ntwo\nthree\nfour"
    assert clean("evil\u202etxt.exe") == "eviltxt.exe"                 # bidi override


def test_non_strings():
    assert clean(None) == ""
    assert clean(12345) == "12345"
    assert "\x1b" not in clean(["\x1b[31m"])
