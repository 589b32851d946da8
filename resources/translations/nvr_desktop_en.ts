<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AddCameraDialog</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/dialogs/add_camera.py" line="+420"/>
        <source>%n device(s) found</source>
        <translation>
            <numerusform>%n device found</numerusform>
            <numerusform>%n devices found</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+137"/>
        <source>Testing and adding %n camera(s)…</source>
        <translation>
            <numerusform>Testing and adding %n camera…</numerusform>
            <numerusform>Testing and adding %n cameras…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+24"/>
        <source>%n camera(s) added</source>
        <translation>
            <numerusform>%n camera added</numerusform>
            <numerusform>%n cameras added</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n not added: %1</source>
        <translation>
            <numerusform>%n not added: %1</numerusform>
            <numerusform>%n not added: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AlertNotifier</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/events/panel.py" line="+101"/>
        <source>%1 on %2: %n detection(s)</source>
        <translation>
            <numerusform>%1 on %2: %n detection</numerusform>
            <numerusform>%1 on %2: %n detections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/dialogs/first_run.py" line="+55"/>
        <source>At least %n characters.</source>
        <translation>
            <numerusform>At least %n character.</numerusform>
            <numerusform>At least %n characters.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+41"/>
        <source>The password must have at least %n characters.</source>
        <translation>
            <numerusform>The password must have at least %n character.</numerusform>
            <numerusform>The password must have at least %n characters.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/dialogs/login.py" line="+77"/>
        <source>Too many failed logins: the account is locked for %n more minute(s).</source>
        <translation>
            <numerusform>Too many failed logins: the account is locked for %n more minute.</numerusform>
            <numerusform>Too many failed logins: the account is locked for %n more minutes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/main_window.py" line="+262"/>
        <source>%n tile(s)</source>
        <translation>
            <numerusform>%n tile</numerusform>
            <numerusform>%n tiles</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+85"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+62"/>
        <source>%n camera(s)</source>
        <translation>
            <numerusform>%n camera</numerusform>
            <numerusform>%n cameras</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+319"/>
        <source>Manual recording: %n camera(s)</source>
        <translation>
            <numerusform>Manual recording: %n camera</numerusform>
            <numerusform>Manual recording: %n cameras</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PlaybackWindow</name>
    <message numerus="yes">
        <location filename="../../nvr_desktop/ui/playback/window.py" line="+920"/>
        <source>Exporting %n camera(s)…</source>
        <translation>
            <numerusform>Exporting %n camera…</numerusform>
            <numerusform>Exporting %n cameras…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+52"/>
        <source>Exported %n file(s) to %1</source>
        <translation>
            <numerusform>Exported %n file to %1</numerusform>
            <numerusform>Exported %n files to %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+52"/>
        <source>Remove the protection of the recordings of %n camera(s) %1?</source>
        <translation>
            <numerusform>Remove the protection of the recordings of %n camera %1?</numerusform>
            <numerusform>Remove the protection of the recordings of %n cameras %1?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+33"/>
        <source>Protected %n recording file(s) %1.</source>
        <translation>
            <numerusform>Protected %n recording file %1.</numerusform>
            <numerusform>Protected %n recording files %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Already protected: %n recording file(s) %1.</source>
        <translation>
            <numerusform>Already protected: %n recording file %1.</numerusform>
            <numerusform>Already protected: %n recording files %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Removed the protection of %n recording file(s) %1.</source>
        <translation>
            <numerusform>Removed the protection of %n recording file %1.</numerusform>
            <numerusform>Removed the protection of %n recording files %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Not protected: %n recording file(s) %1.</source>
        <translation>
            <numerusform>Not protected: %n recording file %1.</numerusform>
            <numerusform>Not protected: %n recording files %1.</numerusform>
        </translation>
    </message>
</context>
</TS>
