"""The main window: the camera tree each user may see, menus by role, layout, full screen, drag and drop."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from nvr_desktop import __version__
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.dialogs.users import UsersDialog
from nvr_desktop.ui.main_window import LAYOUTS, MainWindow
from nvr_desktop.ui.models.camera_tree import (
    CAMERA_ENABLED_ROLE,
    CAMERA_ID_ROLE,
    CAMERA_MIME_TYPE,
    CameraTreeModel,
    decode_camera_ids,
    encode_camera_ids,
)
from nvr_desktop.ui.wall.video_wall import WallCamera
from tests.support.cameras import RtspTestServer


def open_window(qtbot: QtBot, services: Any, principal: Principal, make_live: Any) -> MainWindow:
    window = MainWindow(services, principal, make_live)
    qtbot.addWidget(window)
    window.show()
    return window


def tree_rows(model: CameraTreeModel) -> dict[str, list[tuple[str, str]]]:
    """{group title: [(camera name, status text), ...]}."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for g in range(model.rowCount()):
        group = model.item(g, 0)
        groups[group.text()] = [(group.child(r, 0).text(), group.child(r, 1).text()) for r in range(group.rowCount())]
    return groups


def camera_index(window: MainWindow, row: int, column: int = 0) -> QModelIndex:
    group = window.camera_model.index(0, 0)
    return window.camera_model.index(row, column, group)


def test_admin_sees_every_camera_with_its_state(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, cameras: list[Camera], make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    assert window.windowTitle() == "NVR Desktop — boss (administrator)"
    ((front, front_status), back) = tree_rows(window.camera_model)["All cameras"]
    # An enabled camera shows its connection as far as the engine got (the window may open before any report).
    assert front == "Front door" and front_status in {"Enabled", "Connecting", "Reconnecting", "Offline", "Error"}
    assert back == ("Back yard", "Disabled")
    assert window.camera_model.camera_ids() == [c.id for c in cameras]
    first = camera_index(window, 0)
    assert first.data(CAMERA_ID_ROLE) == cameras[0].id
    assert first.data(CAMERA_ENABLED_ROLE) is True
    assert camera_index(window, 1).data(CAMERA_ENABLED_ROLE) is False
    assert window.user_label.text() == "Logged in as boss (administrator)"
    assert window.camera_count_label.text() == "2 cameras"
    assert window.camera_tree.isExpanded(window.camera_proxy.index(0, 0))


def test_viewer_sees_only_the_granted_camera_and_no_admin_actions(
    qtbot: QtBot, english: QApplication, services: Any, viewer: Principal, cameras: list[Camera], make_live: Any
) -> None:
    window = open_window(qtbot, services, viewer, make_live)
    assert window.windowTitle() == "NVR Desktop — vic (viewer)"
    ((front, front_status),) = tree_rows(window.camera_model)["All cameras"]
    assert front == "Front door" and front_status in {"Enabled", "Connecting", "Reconnecting", "Offline", "Error"}
    assert window.camera_count_label.text() == "1 camera"
    assert window.user_label.text() == "Logged in as vic (viewer)"
    assert not window.action_users.isEnabled()
    assert not window.action_add_camera.isEnabled()
    assert window.action_add_camera.toolTip() == "Only administrators can add cameras"
    assert window.ptz_panel is None, "viewers get no PTZ controls"


def test_add_camera_opens_the_wizard_for_admins(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    assert window.action_add_camera.isEnabled()
    assert window.ptz_panel is not None and window.wall.ptz is window.ptz_panel
    assert window.camera_count_label.text().startswith("0 camera")
    assert tree_rows(window.camera_model) == {"All cameras": []}
    window.action_add_camera.trigger()
    (dialog,) = window.open_dialogs()
    assert dialog.objectName() == "addCameraDialog" and dialog.isVisible()
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Stream URL",
        "DVR / NVR",
        "Network scan",
        "ONVIF",
    ]
    dialog.close()
    assert window.open_dialogs() == []


def test_users_dialog_lists_accounts_for_admins(
    qtbot: QtBot,
    app: QApplication,
    services: Any,
    admin: Principal,
    viewer: Principal,
    cameras: list[Camera],
    make_live: Any,
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    assert window.action_users.isEnabled()
    window.action_users.trigger()
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1 and isinstance(dialogs[0], UsersDialog)
    table = dialogs[0].findChild(QTableWidget, "usersTable")
    assert table is not None
    rows = [[table.model().index(r, c).data() for c in range(3)] for r in range(table.rowCount())]
    assert rows == [["boss", "administrator", "All cameras"], ["vic", "viewer", "Front door"]]
    assert table.editTriggers() == QTableWidget.EditTrigger.NoEditTriggers
    dialogs[0].reject()
    assert window.open_dialogs() == []


def test_users_dialog_shows_a_refusal_for_non_admins(
    qtbot: QtBot, app: QApplication, services: Any, viewer: Principal
) -> None:
    dialog = UsersDialog(services, viewer)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 0
    assert dialog.error_label.isVisible()
    assert "not allowed" in dialog.error_label.text()


def test_layout_choices_are_exclusive_and_remembered(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    assert tuple(window.layout_actions) == LAYOUTS == (1, 4, 9, 16, 25, 36, 64, 128)
    assert all(a.isCheckable() for a in window.layout_actions.values())
    assert window.layout_tiles == 4 and window.layout_actions[4].isChecked()
    assert window.layout_actions[1].text() == "1 tile"
    assert window.layout_actions[128].text() == "128 tiles"
    with qtbot.waitSignal(window.layoutChanged) as signal:
        window.layout_actions[9].trigger()
    assert signal.args == [9]
    assert window.layout_tiles == 9
    assert [n for n, a in window.layout_actions.items() if a.isChecked()] == [9]


def test_full_screen_toggles_with_f11_action(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    assert window.action_fullscreen.shortcut().toString() == "F11"
    window.action_fullscreen.trigger()
    qtbot.waitUntil(window.isFullScreen)
    window.action_fullscreen.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.action_fullscreen.isChecked()


def test_tree_drags_camera_ids_and_not_groups(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, cameras: list[Camera], make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    model = window.camera_model
    assert model.mimeTypes() == [CAMERA_MIME_TYPE]
    group = model.index(0, 0)
    assert not model.flags(group) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(camera_index(window, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    indexes = [group, camera_index(window, 1), camera_index(window, 1, 1), camera_index(window, 0)]
    mime = model.mimeData(indexes)
    assert decode_camera_ids(mime) == [cameras[1].id, cameras[0].id]
    # Through the filter proxy the view actually uses.
    proxy_mime = window.camera_proxy.mimeData([window.camera_proxy.mapFromSource(camera_index(window, 0))])
    assert decode_camera_ids(proxy_mime) == [cameras[0].id]


def test_mime_decoding_ignores_garbage() -> None:
    assert decode_camera_ids(encode_camera_ids([3, 3, 7])) == [3, 7]
    other = QMimeData()
    other.setText("3")
    assert decode_camera_ids(other) == []
    bad = QMimeData()
    bad.setData(CAMERA_MIME_TYPE, b"x,-1,0,12, 5")
    assert decode_camera_ids(bad) == [12, 5]


def drop(wall: QWidget, mime: QMimeData, at: QPoint) -> bool:
    """Deliver a drag-enter, a drag-move and a drop at a point of the wall; True when it took the drop."""
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, actions, mime, buttons, modifiers)
    QApplication.sendEvent(wall, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(wall, QDragMoveEvent(at, actions, mime, buttons, modifiers))
    event = QDropEvent(QPointF(at), actions, mime, buttons, modifiers)
    QApplication.sendEvent(wall, event)
    return event.isAccepted()


def test_a_camera_dragged_from_the_tree_lands_on_the_wall_tile(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, cameras: list[Camera], make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    wall = window.wall
    assert wall.layout_tiles == 4
    # Only the enabled camera is connected; it fills the first tile.
    assert [c.name for c in wall.cameras()] == ["Front door"]
    assert wall.tile_camera(0) == cameras[0].id and wall.tile_camera(2) is None
    target = wall.tile_rect(2).center()
    assert drop(wall, window.camera_model.mimeData([camera_index(window, 0)]), target)
    assert wall.tile_camera(2) == cameras[0].id
    assert wall.tile_camera(0) is None
    text_only = QMimeData()
    text_only.setText("Front door")
    assert not drop(wall, text_only, wall.tile_rect(0).center())
    assert wall.tile_camera(0) is None


def test_filter_narrows_the_tree(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, cameras: list[Camera], make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    proxy = window.camera_proxy
    window.camera_filter.setText("YARD")
    group = proxy.index(0, 0)
    assert proxy.rowCount(group) == 1
    assert proxy.index(0, 0, group).data() == "Back yard"
    window.camera_filter.clear()
    assert proxy.rowCount(proxy.index(0, 0)) == 2


def test_reload_picks_up_new_cameras(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, cameras: list[Camera], make_live: Any
) -> None:
    from nvr_desktop.services.cameras import CameraSpec

    window = open_window(qtbot, services, admin, make_live)
    services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1:8554/y"))
    window.action_refresh.trigger()
    assert [name for name, _ in tree_rows(window.camera_model)["All cameras"]][-1] == "Gate"
    assert window.camera_count_label.text() == "3 cameras"


def test_about_names_version_and_licence(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    dialog = window.show_about()
    assert dialog.isVisible()
    text = dialog.body.text()
    assert "GPL-3.0-or-later" in text
    assert __version__ in dialog.findChild(type(dialog.body), "dialogSubtitle").text()  # type: ignore[union-attr]
    window.close()
    assert not dialog.isVisible()
    assert window.open_dialogs() == []


def test_menus_are_there_in_order(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "View", "Cameras", "Tools", "Help"]


def test_quit_closes_the_window(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    window.action_quit.trigger()
    assert not window.isVisible()


def test_a_camera_added_with_the_wizard_replaces_the_demo_wall_and_goes_live(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, make_live: Any, rtsp_server: RtspTestServer
) -> None:
    window = open_window(qtbot, services, admin, make_live)
    engine = window._live.supervisor
    assert window.wall.cameras() and all(c.demo for c in window.wall.cameras()), "no camera yet: the demo wall"
    demo_ids = {c.id for c in window.wall.cameras()}
    qtbot.waitUntil(lambda: bool(demo_ids & set(engine.camera_ids())), timeout=20_000)
    wizard = window.show_add_camera()
    gate = services.cameras.add(admin, CameraSpec(name="Gate", main_url=rtsp_server.url(1)))
    wizard.added.append(gate)  # what the wizard's add step records
    wizard.close()
    assert window.wall.cameras() == [WallCamera(gate.id, "Gate")], "the new camera reaches the wall at once"
    qtbot.waitUntil(lambda: tree_rows(window.camera_model) == {"All cameras": [("Gate", "Live")]}, timeout=20_000)
    qtbot.waitUntil(lambda: not demo_ids & set(engine.camera_ids()), timeout=10_000)
    # The tree keeps the state it knows across a reload (no new state change comes for a camera that stays live).
    window.action_refresh.trigger()
    assert tree_rows(window.camera_model) == {"All cameras": [("Gate", "Live")]}
    assert window.wall.cameras() == [WallCamera(gate.id, "Gate")]
    services.cameras.remove(admin, gate.id)
    window.action_refresh.trigger()
    assert all(c.demo for c in window.wall.cameras()), "the last camera removed: the demo wall again"
    qtbot.waitUntil(lambda: gate.id not in engine.camera_ids(), timeout=10_000)
