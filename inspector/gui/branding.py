"""The app's name, icon and splash screen.

Qt and the shipped icon only (no torch), so that the splash screen is on
screen before the engine loads.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from inspector.core.io.resources import resource_path

APP_TITLE = "Robustness Inspector"
SPLASH_SIZE = (480, 200)
BACKGROUND, FOREGROUND = QColor("#263238"), QColor("#eceff1")


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "robustness-inspector.svg")))


def show_splash(message: str) -> QLabel:
    """A splash screen with the icon, the name and ``message``, painted before this returns.

    A frameless label rather than a QSplashScreen, whose ``show()`` waits up to
    a second for the window to be exposed.
    """
    width, height = SPLASH_SIZE
    pixmap = QPixmap(width, height)
    pixmap.fill(BACKGROUND)
    painter = QPainter(pixmap)
    app_icon().paint(painter, QRect(24, 36, 128, 128))
    painter.setPen(FOREGROUND)
    painter.drawText(
        QRect(0, 0, width - 12, height - 8), Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight, message
    )
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * 1.6)
    painter.setFont(font)
    painter.drawText(
        QRect(172, 36, width - 196, 128), Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, APP_TITLE
    )
    painter.end()
    splash = QLabel()
    splash.setPixmap(pixmap)
    splash.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    splash.move(QApplication.primaryScreen().availableGeometry().center() - QPoint(width // 2, height // 2))
    splash.show()
    QApplication.processEvents()
    return splash
