"""``crmsim game new/round/report``: a class plays from the command line; bad input gets one
line and exit code 2; Ctrl-C exits with 130 and loses nothing."""

from __future__ import annotations

import json
import sys
import types

import pandas as pd
import pytest

from crmsim import tomlfile
from crmsim.cli import EXIT_INTERRUPTED, main
from crmsim.game import example_config
from crmsim.model import CRMModel


def write_config(folder, **changes):
    """The example class (4 teams, 2 rivals) in a small market with short rounds."""
    config = example_config(**({"customers": 1_500, "weeks_per_round": 2} | changes))
    path = folder / "class.toml"
    path.write_text(tomlfile.dumps(config.to_dict()), encoding="utf-8")
    return config, path


def hand_in(folder, files: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def rounds_played(game) -> int:
    return json.loads((game / "game.json").read_text(encoding="utf-8"))["round"]


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, err
    return err


def test_a_class_of_four_teams_and_two_rivals_plays_eight_short_rounds(tmp_path, capsys):
    config, path = write_config(tmp_path, rounds=8)
    game = tmp_path / "game"
    assert main(["game", "new", str(path), "--out", str(game)]) == 0
    started = capsys.readouterr().out
    assert "team_a.toml" in started and "Bargain Barn (discounter)" in started

    handed = tmp_path / "decisions"
    plans = [
        {"team_a.toml": "discount = 0.1\n", "team_b.toml": "service_quality = 0.8\n"},
        {"team_c.toml": "price = 22.0\nrespect = 0.8\n"},
        {},
        {"team_d.toml": "gift_value = 3.0\nreferral_reward = 5.0\n"},
        {"team_a.toml": "discount = 0.0\nprice = 18.0\n"},
        {"team_b.toml": 'win_back = 0.5\nwin_back_target = ["loyal"]\n'},
        {},
        {"team_c.toml": "advertising = 0.05\n"},
    ]
    for number, plan in enumerate(plans, start=1):
        assert main(["game", "round", str(game), str(hand_in(handed, plan))]) == 0
        printed = capsys.readouterr().out
        assert f"Round {number} of 8" in printed
        for firm in config.firms:
            assert firm in printed
        assert rounds_played(game) == number
    assert "last round" in printed

    frame = pd.read_csv(game / "firm_frame.csv")
    assert len(frame) == 8 * 2 * len(config.firms)
    assert sorted(pd.read_csv(game / "scoreboard.csv")["firm"]) == sorted(config.firms)
    decisions = pd.read_csv(game / "decisions.csv")
    assert len(decisions) == 8 * len(config.firms)
    team_a = decisions[decisions["firm"] == "Team A"].set_index("round")
    assert team_a.loc[1, "discount"] == 0.1 and team_a.loc[4, "discount"] == 0.1
    assert team_a.loc[5, "discount"] == 0.0 and team_a.loc[5, "price"] == 18.0
    assert (game / "rounds/08/handed_in/team_c.toml").is_file()

    assert main(["game", "round", str(game)]) == 2
    assert "the game is over" in error_line(capsys)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"rounds": 0}, "rounds"), ({"budget": {"max_discount": 5}}, "budget.max_discount")],
)
def test_a_bad_config_is_refused_in_one_line(tmp_path, capsys, change, field):
    data = example_config().to_dict() | change
    path = tmp_path / "bad.toml"
    path.write_text(tomlfile.dumps(data), encoding="utf-8")
    assert main(["game", "new", str(path), "--out", str(tmp_path / "game")]) == 2
    message = error_line(capsys)
    assert "bad.toml" in message and field in message
    assert not (tmp_path / "game").exists()


def test_a_new_game_does_not_overwrite_a_folder_unless_forced(tmp_path, capsys):
    _, path = write_config(tmp_path)
    game = tmp_path / "game"
    assert main(["game", "new", str(path), "--out", str(game)]) == 0
    assert main(["game", "round", str(game)]) == 0
    assert main(["game", "new", str(path), "--out", str(game)]) == 2
    assert "--force" in error_line(capsys)
    assert main(["game", "new", str(path), "--out", str(game), "--force"]) == 0
    assert rounds_played(game) == 0


def test_a_bad_decision_file_is_refused_and_no_round_is_played(tmp_path, capsys):
    _, path = write_config(tmp_path)
    game = tmp_path / "game"
    main(["game", "new", str(path), "--out", str(game)])
    files = {"team_a.toml": "discount = 0.1\n", "team_b.toml": "advertising = 0.5\n"}
    handed = hand_in(tmp_path / "decisions", files)
    capsys.readouterr()
    assert main(["game", "round", str(game), str(handed)]) == 2
    message = error_line(capsys)
    assert "team_b.toml" in message and "advertising" in message and "team_a" not in message
    assert rounds_played(game) == 0


def test_ctrl_c_during_a_round_exits_130_and_the_round_can_be_played_again(
    tmp_path, capsys, monkeypatch
):
    _, path = write_config(tmp_path)
    game = tmp_path / "game"
    main(["game", "new", str(path), "--out", str(game)])
    run = CRMModel.run

    def interrupted(model, weeks, progress=None):
        run(model, 1, progress=False)
        raise KeyboardInterrupt

    monkeypatch.setattr(CRMModel, "run", interrupted)
    assert main(["game", "round", str(game)]) == EXIT_INTERRUPTED
    assert "as it was" in capsys.readouterr().err
    assert rounds_played(game) == 0
    monkeypatch.setattr(CRMModel, "run", run)
    assert main(["game", "round", str(game)]) == 0
    assert rounds_played(game) == 1


def test_game_report_writes_the_debriefs_where_asked(tmp_path, capsys, monkeypatch):
    written = []

    def write_debriefs(firm_frame, losses, *, round_weeks, teams, out, **extra):
        written.append(out)
        pages = [out / f"{team}.html" for team in teams]
        for page in pages:
            page.write_text("<html></html>", encoding="utf-8")
        return pages

    monkeypatch.setitem(
        sys.modules, "crmsim.game.debrief", types.SimpleNamespace(write_debriefs=write_debriefs)
    )
    _, path = write_config(tmp_path)
    game = tmp_path / "game"
    main(["game", "new", str(path), "--out", str(game)])
    assert main(["game", "report", str(game)]) == 2
    assert "no round has been played" in error_line(capsys)
    main(["game", "round", str(game)])
    capsys.readouterr()
    assert main(["game", "report", str(game), "--out", str(tmp_path / "pages")]) == 0
    assert written == [tmp_path / "pages"]
    assert "Wrote 4 debrief(s)" in capsys.readouterr().out


def test_a_folder_without_a_game_is_refused_in_one_line(tmp_path, capsys):
    assert main(["game", "round", str(tmp_path)]) == 2
    assert "holds no game" in error_line(capsys)


def test_game_report_writes_real_debriefs_with_a_what_if_replay(tmp_path, capsys):
    _, path = write_config(tmp_path, rounds=3)
    game = tmp_path / "game"
    main(["game", "new", str(path), "--out", str(game)])
    for _ in range(2):
        main(["game", "round", str(game)])
    capsys.readouterr()
    code = main(
        ["game", "report", str(game), "--what-if", "Team A", "discount=0.15,discount_target=new"]
    )
    assert code == 0, capsys.readouterr().err
    pages = sorted(p.name for p in (game / "report").iterdir())
    assert pages == ["class.html", "team-team-a.html", "team-team-b.html", "team-team-c.html",
                     "team-team-d.html"]  # fmt: skip
    team_a = (game / "report" / "team-team-a.html").read_text(encoding="utf-8")
    assert "discount" in team_a[team_a.index('id="what-if"') :]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Team A", "discount"], "LEVER=VALUE"),
        (["Team A", ","], "name at least one lever"),
        (["Nobody", "discount=0.1"], "Nobody"),
        (["Team A", "discount=0.9"], "discount"),
    ],
)
def test_a_bad_what_if_is_refused_in_one_line(tmp_path, capsys, args, message):
    _, path = write_config(tmp_path, rounds=2)
    game = tmp_path / "game"
    main(["game", "new", str(path), "--out", str(game)])
    main(["game", "round", str(game)])
    capsys.readouterr()
    assert main(["game", "report", str(game), "--what-if", *args]) == 2
    assert message in error_line(capsys)
