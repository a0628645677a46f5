"""The step bar: where the finding is in clause 10.2, where it goes next, and everything its
record still lacks for that, in the words of the workflow's own guards
(:func:`carapp.models.workflow.missing_for`), never a second copy of the rules."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from carapp.models.enums import NC_PATH, OBSERVATION_PATH, Stage
from carapp.queries import FindingDetail


def move_label(stage: Stage) -> str:
    if stage is Stage.CLOSED:
        return "Save and c&lose"
    return f"Save and &move to \u2018{stage.label}\u2019"


class StepBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#stepBar { background: palette(alternate-base); }#stepPath { font-weight: 600; }"
        )
        self.path = QLabel(self)
        self.path.setObjectName("stepPath")
        self.path.setTextFormat(Qt.TextFormat.RichText)
        self.path.setAccessibleName("Stage")
        self.missing = QLabel(self)
        self.missing.setObjectName("stepMissing")
        self.missing.setTextFormat(Qt.TextFormat.RichText)
        self.missing.setWordWrap(True)
        self.missing.setAccessibleName("Still missing")
        self.missing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.move_button = QPushButton(self)
        self.move_button.setAccessibleName("Move to the next stage")
        top = QHBoxLayout()
        top.addWidget(self.path, 1)
        top.addWidget(self.move_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 6)
        box.addLayout(top)
        box.addWidget(self.missing)
        self.next_stage: Stage | None = None

    def show_state(self, detail: FindingDetail | None, *, unsaved: bool = False) -> None:
        if detail is None:
            self.path.setText("New finding")
            self.missing.setText(
                "Write the finding (title, what was required and what was seen), then Save: "
                "it gets its reference and the next steps open."
            )
            self.move_button.hide()
            self.next_stage = None
            return
        self.path.setText(_path_html(detail))
        self.next_stage = detail.next_stage
        if detail.next_stage is None:
            self.move_button.hide()
            self.missing.setText(html.escape(detail.next_step))
        else:
            self.move_button.show()
            self.move_button.setText(move_label(detail.next_stage))
            self.move_button.setAccessibleName(move_label(detail.next_stage).replace("&", ""))
            if detail.missing:
                head = f"Still missing for \u2018{detail.next_stage.label}\u2019:"
                self.missing.setText(_list_html(head, detail.missing))
            else:
                self.missing.setText(
                    html.escape(
                        f"Nothing is missing: ready to move to "
                        f"\u2018{detail.next_stage.label}\u2019."
                    )
                )
        if unsaved:
            self.missing.setText(
                self.missing.text()
                + "<p><i>You have unsaved changes: the list above is as last saved.</i></p>"
            )

    def show_refusal(self, message: str, lacks: list[str]) -> None:
        """A refused move, in place: what was tried and what is missing for it."""
        if lacks:
            head = message.split(":", maxsplit=1)[0] + ":"
            self.missing.setText(_list_html(head, lacks, alert=True))
        else:
            self.missing.setText(f"<span style='color:#a00'>{html.escape(message)}</span>")


def _path_html(detail: FindingDetail) -> str:
    path = NC_PATH if detail.classification.is_nonconformity else OBSERVATION_PATH
    parts = []
    reached = path.index(detail.stage) if detail.stage in path else -1
    for index, stage in enumerate(path):
        name = html.escape(stage.label)
        if index == reached:
            parts.append(f"<span style='color:#0b5cad'>▶ {name}</span>")
        elif index < reached:
            parts.append(f"<span style='font-weight:400'>✓ {name}</span>")
        else:
            parts.append(f"<span style='font-weight:400; color:#666'>{name}</span>")
    trail = " \u203a ".join(parts)
    if detail.stage not in path:
        trail = f"<span style='color:#a00'>[{html.escape(detail.stage.label)}]</span> {trail}"
    return f"{html.escape(detail.ref)} \u2014 {trail}"


def _list_html(head: str, items: tuple[str, ...] | list[str], *, alert: bool = False) -> str:
    colour = " style='color:#a00'" if alert else ""
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<p{colour}>{html.escape(head)}</p><ul style='margin-top:0'>{rows}</ul>"
