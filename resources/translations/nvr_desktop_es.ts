<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/about.py" line="+20"/>
        <source>About NVR Desktop</source>
        <translation>Acerca de NVR Desktop</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version %1</source>
        <translation>Versión %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A network video recorder for Windows and Linux PCs: a live wall of up to 128 cameras, recording, playback and events.</source>
        <translation>Un grabador de vídeo en red para PC con Windows y Linux: un muro en directo de hasta 128 cámaras, grabación, reproducción y eventos.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Licence: %1</source>
        <translation>Licencia: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This program comes with absolutely no warranty.</source>
        <translation>Este programa se ofrece sin ninguna garantía.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>AddCameraDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/add_camera.py" line="+97"/>
        <source>Add cameras</source>
        <extracomment>Ports that do not serve RTSP (HTTP, ONVIF, vendor SDKs): never used to build a stream URL. Where WS-Discovery probes go: None is the multicast group; tests aim it at a simulator on 127.0.0.1.</extracomment>
        <translation>Añadir cámaras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Camera login (stored in the system keyring)</source>
        <translation>Acceso a la cámara (se guarda en el llavero del sistema)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>e.g. admin</source>
        <translation>p. ej. admin</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stream URL</source>
        <translation>URL de la transmisión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DVR / NVR</source>
        <translation>DVR / NVR</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Network scan</source>
        <translation>Escaneo de red</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+127"/>
        <source>ONVIF</source>
        <translation>ONVIF</translation>
    </message>
    <message>
        <location line="-117"/>
        <source>Cancel adding</source>
        <translation>Cancelar la adición</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Test and add</source>
        <translation>Probar y añadir</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>optional: a smaller stream for the wall</source>
        <translation>opcional: una transmisión más pequeña para el mosaico</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test connection</source>
        <translation>Probar la conexión</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No picture yet</source>
        <translation>Aún no hay imagen</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+66"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>Main stream URL</source>
        <translation>URL de la transmisión principal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sub-stream URL</source>
        <translation>URL de la subtransmisión</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>optional: your own path, e.g. /cam{channel}</source>
        <translation>opcional: su propia ruta, p. ej. /cam{channel}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>e.g. Warehouse (cameras: Warehouse ch1, ch2...)</source>
        <translation>p. ej. Almacén (cámaras: Almacén ch1, ch2...)</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+29"/>
        <source>Brand</source>
        <translation>Marca</translation>
    </message>
    <message>
        <location line="-28"/>
        <location line="+28"/>
        <source>Host</source>
        <translation>Equipo</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>RTSP port</source>
        <translation>Puerto RTSP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channels</source>
        <translation>Canales</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stream path</source>
        <translation>Ruta de la transmisión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name prefix</source>
        <translation>Prefijo del nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One camera per channel; each channel is tested before it is saved.</source>
        <translation>Una cámara por canal; cada canal se prueba antes de guardarlo.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>optional, e.g. 10554, 9000</source>
        <translation>opcional, p. ej. 10554, 9000</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+138"/>
        <location line="+4"/>
        <source>I may scan this range</source>
        <translation>Tengo permiso para escanear este rango</translation>
    </message>
    <message>
        <location line="-139"/>
        <source>Scan</source>
        <translation>Escanear</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open ports</source>
        <translation>Puertos abiertos</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use selected device</source>
        <translation>Usar el dispositivo seleccionado</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Address or range</source>
        <translation>Dirección o rango</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other ports</source>
        <translation>Otros puertos</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Discover ONVIF devices</source>
        <translation>Descubrir dispositivos ONVIF</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Get profiles</source>
        <translation>Obtener perfiles</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Profile</source>
        <translation>Perfil</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encoding</source>
        <translation>Codificación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolution</source>
        <translation>Resolución</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frame rate</source>
        <translation>Fotogramas por segundo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PTZ</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stream URI</source>
        <translation>URI de la transmisión</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Device address</source>
        <translation>Dirección del dispositivo</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The selected profile is the main stream; the smallest other one feeds the wall.</source>
        <translation>El perfil seleccionado es la transmisión principal; el más pequeño de los demás alimenta el mosaico.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Unexpected error: %1</source>
        <translation>Error inesperado: %1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Testing the connection…</source>
        <translation>Probando la conexión…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>I may scan %1</source>
        <translation>Tengo permiso para escanear %1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Scanning…</source>
        <translation>Escaneando…</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+68"/>
        <source>yes</source>
        <translation>sí</translation>
    </message>
    <message numerus="yes">
        <location line="-65"/>
        <source>%n device(s) found</source>
        <translation>
            <numerusform>%n dispositivo encontrado</numerusform>
            <numerusform>%n dispositivos encontrados</numerusform>
        </translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Looking for ONVIF devices…</source>
        <translation>Buscando dispositivos ONVIF…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Asking the device…</source>
        <translation>Consultando el dispositivo…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 %2, firmware %3</source>
        <translation>%1 %2, firmware %3</translation>
    </message>
    <message numerus="yes">
        <location line="+85"/>
        <source>Testing and adding %n camera(s)…</source>
        <translation>
            <numerusform>Probando y añadiendo %n cámara…</numerusform>
            <numerusform>Probando y añadiendo %n cámaras…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: added</source>
        <translation>%1: añadida</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: not added (%2)</source>
        <translation>%1: no añadida (%2)</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n camera(s) added</source>
        <translation>
            <numerusform>%n cámara añadida</numerusform>
            <numerusform>%n cámaras añadidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n not added: %1</source>
        <translation>
            <numerusform>%n no añadida: %1</numerusform>
            <numerusform>%n no añadidas: %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(cancelled)</source>
        <translation>(cancelado)</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/panel.py" line="+74"/>
        <source>Dismiss</source>
        <translation>Descartar</translation>
    </message>
</context>
<context>
    <name>AlertNotifier</name>
    <message>
        <location line="+25"/>
        <source>Alert: %1</source>
        <translation>Alerta: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%1 on %2: %n detection(s)</source>
        <translation>
            <numerusform>%1 en %2: %n detección</numerusform>
            <numerusform>%1 en %2: %n detecciones</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/models.py" line="+250"/>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Severity</source>
        <translation>Gravedad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule</source>
        <translation>Regla</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Detections</source>
        <translation>Detecciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/backup.py" line="+49"/>
        <location line="+54"/>
        <source>Back up database</source>
        <translation>Copia de seguridad de la base de datos</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>&amp;Browse…</source>
        <translation>E&amp;xaminar…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Replace the file if it exists</source>
        <translation>&amp;Reemplazar el archivo si ya existe</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The backup holds users, cameras, views, the recording index, events, alerts and the audit log. Camera passwords and edge pairing tokens are not in it: they stay in this computer&apos;s keyring. Recordings and snapshots are files and are not in it either.</source>
        <translation>La copia contiene los usuarios, las cámaras, las vistas, el índice de grabaciones, los eventos, las alertas y el registro de auditoría. No contiene las contraseñas de las cámaras ni los tokens de emparejamiento de los dispositivos edge: se quedan en el llavero de este equipo. Las grabaciones y las instantáneas son archivos y tampoco están en ella.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back &amp;up</source>
        <translation>Hacer &amp;copia</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Save the backup to:</source>
        <translation>Guardar la copia en:</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>SQLite database (*.sqlite3 *.db)</source>
        <translation>Base de datos SQLite (*.sqlite3 *.db)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Backing up…</source>
        <translation>Haciendo la copia…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>This file exists already: choose another name, or tick “Replace the file if it exists”.</source>
        <translation>Este archivo ya existe: elija otro nombre o marque «Reemplazar el archivo si ya existe».</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Saved %1 (%2 KiB, schema revision %3). Cameras: %4, users: %5, segments: %6, events: %7.</source>
        <translation>Guardada en %1 (%2 KiB, revisión del esquema %3). Cámaras: %4, usuarios: %5, segmentos: %6, eventos: %7.</translation>
    </message>
</context>
<context>
    <name>CameraSettingsDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/camera_settings.py" line="+63"/>
        <source>Camera settings — %1</source>
        <translation>Ajustes de cámara — %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connection</source>
        <translation>Conexión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recording</source>
        <translation>Grabación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Motion</source>
        <translation>Movimiento</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Enabled (connect, show and record it)</source>
        <translation>Activada (conectarla, mostrarla y grabarla)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>optional: a smaller stream for the wall&apos;s tiles</source>
        <translation>opcional: un flujo más pequeño para los mosaicos del muro</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TCP (works through firewalls)</source>
        <translation>TCP (atraviesa cortafuegos)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>UDP (less delay on a clean network)</source>
        <translation>UDP (menos retardo en una red limpia)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>unchanged (kept in the keyring)</source>
        <translation>sin cambios (guardada en el llavero)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>ninguna</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove the stored password</source>
        <translation>Borrar la contraseña guardada</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Name:</source>
        <translation>Nombre:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Main stream URL:</source>
        <translation>URL del flujo principal:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sub-stream URL:</source>
        <translation>URL del subflujo:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RTSP transport:</source>
        <translation>Transporte RTSP:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name:</source>
        <translation>Usuario:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password:</source>
        <translation>Contraseña:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Test connection</source>
        <translation>&amp;Probar conexión</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No picture yet</source>
        <translation>Todavía sin imagen</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Off</source>
        <translation>Apagada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continuous</source>
        <translation>Continua</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weekly schedule</source>
        <translation>Horario semanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On events (with pre- and post-roll)</source>
        <translation>Con eventos (con pre y post grabación)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>e.g. mon-fri 08:00-18:00; sat 09:00-13:00</source>
        <translation>p. ej. mon-fri 08:00-18:00; sat 09:00-13:00</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+6"/>
        <source>no limit</source>
        <translation>sin límite</translation>
    </message>
    <message>
        <location line="-5"/>
        <source> days</source>
        <translation> días</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Record:</source>
        <translation>Grabar:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Schedule:</source>
        <translation>Horario:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Segment length:</source>
        <translation>Duración del segmento:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep at most:</source>
        <translation>Conservar como máximo:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use at most:</source>
        <translation>Usar como máximo:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Look for motion in this camera&apos;s video (for cameras without an agent)</source>
        <translation>Buscar movimiento en el vídeo de esta cámara (para cámaras sin agente)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>empty: the whole picture; one polygon per line, e.g. 0,0.5 1,0.5 1,1 0,1</source>
        <translation>vacío: toda la imagen; un polígono por línea, p. ej. 0,0.5 1,0.5 1,1 0,1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>areas never watched (trees, a road), one polygon per line</source>
        <translation>zonas que nunca se vigilan (árboles, una calle), un polígono por línea</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Points are fractions of the picture: 0,0 is the top left corner, 1,1 the bottom right. Detections become events like an edge agent&apos;s, with a snapshot.</source>
        <translation>Los puntos son fracciones de la imagen: 0,0 es la esquina superior izquierda, 1,1 la inferior derecha. Las detecciones se convierten en eventos como los de un agente edge, con una instantánea.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sensitivity:</source>
        <translation>Sensibilidad:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zones:</source>
        <translation>Zonas:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Masks:</source>
        <translation>Máscaras:</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No picture</source>
        <translation>Sin imagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed: %1</source>
        <translation>Falló: %1</translation>
    </message>
</context>
<context>
    <name>CameraTreeModel</name>
    <message>
        <location filename="../../nvr_desktop/ui/models/camera_tree.py" line="+62"/>
        <source>Live</source>
        <extracomment>The drag payload: ASCII camera ids separated by commas (&quot;3&quot; or &quot;3,7&quot;). Item data roles of the tree&apos;s items.</extracomment>
        <translation>En directo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting</source>
        <translation>Conectando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reconnecting</source>
        <translation>Reconectando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unauthorized</source>
        <translation>Sin autorización</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Login missing</source>
        <translation>Falta la contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unsupported</source>
        <translation>No compatible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>All cameras</source>
        <translation>Todas las cámaras</translation>
    </message>
    <message>
        <location line="+42"/>
        <location line="+59"/>
        <source>Enabled</source>
        <translation>Activada</translation>
    </message>
    <message>
        <location line="-59"/>
        <location line="+59"/>
        <source>Disabled</source>
        <translation>Desactivada</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Camera %1 — drag it onto a wall tile</source>
        <translation>Cámara %1: arrástrela a un recuadro del muro</translation>
    </message>
</context>
<context>
    <name>EdgeDevicesDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/edge_devices.py" line="+145"/>
        <source>Edge devices</source>
        <translation>Dispositivos edge</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last seen</source>
        <translation>Visto por última vez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>Cola</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dropped</source>
        <translation>Descartadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature</source>
        <translation>Temperatura</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Pair a device…</source>
        <translation>&amp;Emparejar un dispositivo…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Revoke</source>
        <translation>&amp;Revocar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Revoked</source>
        <translation>Revocado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online</source>
        <translation>En línea</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Never seen</source>
        <translation>Nunca visto</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Revoke device</source>
        <translation>Revocar dispositivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Revoke %1? Its requests are refused from now on; pairing it again needs a new id.</source>
        <translation>¿Revocar %1? Sus peticiones se rechazan desde ahora; para emparejarlo otra vez necesita un id nuevo.</translation>
    </message>
</context>
<context>
    <name>EventLabels</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/models.py" line="-227"/>
        <source>New</source>
        <translation>Nuevo</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+9"/>
        <source>Acknowledged</source>
        <translation>Reconocido</translation>
    </message>
    <message>
        <location line="-8"/>
        <location line="+9"/>
        <source>Resolved</source>
        <translation>Resuelto</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Pending</source>
        <translation>Pendiente</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Critical</source>
        <translation>Crítica</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Warning</source>
        <translation>Advertencia</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Info</source>
        <translation>Información</translation>
    </message>
</context>
<context>
    <name>EventPanel</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/panel.py" line="+49"/>
        <source>All devices</source>
        <translation>Todos los dispositivos</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any time</source>
        <translation>Cualquier momento</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last hour</source>
        <translation>Última hora</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 24 hours</source>
        <translation>Últimas 24 horas</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>Últimos 7 días</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Any state</source>
        <translation>Cualquier estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>Abiertos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acknowledged</source>
        <translation>Reconocidos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolved</source>
        <translation>Resueltos</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Events</source>
        <translation>Eventos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Summary</source>
        <translation>Resumen del periodo</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Note (what you saw or did)</source>
        <translation>Nota (lo que vio o hizo)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Acknowledge</source>
        <translation>&amp;Reconocer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re&amp;solve</source>
        <translation>Re&amp;solver</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Camera %1</source>
        <translation>Cámara %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>All cameras</source>
        <translation>Todas las cámaras</translation>
    </message>
    <message>
        <location line="+182"/>
        <source>You may not acknowledge events of this camera</source>
        <translation>No puede reconocer eventos de esta cámara</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Alert %1 resolved.</source>
        <translation>Alerta %1 resuelta.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alert %1 acknowledged.</source>
        <translation>Alerta %1 reconocida.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Event %1 resolved.</source>
        <translation>Evento %1 resuelto.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Event %1 acknowledged.</source>
        <translation>Evento %1 reconocido.</translation>
    </message>
</context>
<context>
    <name>EventTableModel</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/models.py" line="+107"/>
        <source>Snapshot</source>
        <translation>Captura</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score</source>
        <translation>Puntuación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Labels</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/first_run.py" line="+38"/>
        <source>Create the administrator account</source>
        <translation>Crear la cuenta de administrador</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Welcome to NVR Desktop</source>
        <translation>Bienvenido a NVR Desktop</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No account exists yet. Create the administrator account: it can add cameras and users.</source>
        <translation>Todavía no existe ninguna cuenta. Cree la cuenta de administrador: podrá añadir cámaras y usuarios.</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>At least %n characters.</source>
        <translation>
            <numerusform>Al menos %n carácter.</numerusform>
            <numerusform>Al menos %n caracteres.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>User name:</source>
        <translation>Nombre de usuario:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password:</source>
        <translation>Contraseña:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repeat password:</source>
        <translation>Repita la contraseña:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Create account</source>
        <translation>Crear cuenta</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Enter a user name.</source>
        <translation>Escriba un nombre de usuario.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The user name may have up to 64 letters, digits, &apos;.&apos;, &apos;_&apos;, &apos;@&apos; or &apos;-&apos;, and must start with a letter or a digit.</source>
        <translation>El nombre de usuario puede tener hasta 64 letras, dígitos, &apos;.&apos;, &apos;_&apos;, &apos;@&apos; o &apos;-&apos;, y debe empezar por una letra o un dígito.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter a password.</source>
        <translation>Escriba una contraseña.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The passwords do not match.</source>
        <translation>Las contraseñas no coinciden.</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>The password must have at least %n characters.</source>
        <translation>
            <numerusform>La contraseña debe tener al menos %n carácter.</numerusform>
            <numerusform>La contraseña debe tener al menos %n caracteres.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../nvr_desktop/ui/labels.py" line="+15"/>
        <source>administrator</source>
        <translation>administrador</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>operator</source>
        <translation>operador</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>viewer</source>
        <translation>observador</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/login.py" line="+34"/>
        <source>Log in to NVR Desktop</source>
        <translation>Iniciar sesión en NVR Desktop</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Network video recorder</source>
        <translation>Grabador de vídeo en red</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>User name:</source>
        <translation>Nombre de usuario:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password:</source>
        <translation>Contraseña:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Log in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Enter your user name.</source>
        <translation>Escriba su nombre de usuario.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your password.</source>
        <translation>Escriba su contraseña.</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>Too many failed logins: the account is locked for %n more minute(s).</source>
        <translation>
            <numerusform>Demasiados intentos fallidos: la cuenta está bloqueada durante %n minuto más.</numerusform>
            <numerusform>Demasiados intentos fallidos: la cuenta está bloqueada durante %n minutos más.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrong user name or password.</source>
        <translation>Nombre de usuario o contraseña incorrectos.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../nvr_desktop/ui/main_window.py" line="+152"/>
        <source>Filter cameras…</source>
        <extracomment>Wall layouts offered in View &gt; Layout (number of tiles).</extracomment>
        <translation>Filtrar cámaras…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cameras</source>
        <translation>Cámaras</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Events and alerts</source>
        <translation>Eventos y alertas</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Overview</source>
        <translation>Resumen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Logged in as %1 (%2)</source>
        <translation>Sesión iniciada como %1 (%2)</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Back up database…</source>
        <translation>&amp;Copia de seguridad de la base de datos…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save a copy of the database (users, cameras, events; no camera passwords)</source>
        <translation>Guarda una copia de la base de datos (usuarios, cámaras, eventos; sin las contraseñas de las cámaras)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only administrators can back up the database</source>
        <translation>Solo los administradores pueden hacer copias de seguridad de la base de datos</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Layout</source>
        <translation>&amp;Disposición</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n tile(s)</source>
        <translation>
            <numerusform>%n recuadro</numerusform>
            <numerusform>%n recuadros</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Next page</source>
        <translation>Página &amp;siguiente</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Previous page</source>
        <translation>Página &amp;anterior</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Cycle pages every 10 s</source>
        <translation>&amp;Rotar páginas cada 10 s</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved &amp;views</source>
        <translation>&amp;Vistas guardadas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save view…</source>
        <translation>&amp;Guardar vista…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Full screen</source>
        <translation>&amp;Pantalla completa</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Camera &amp;tree</source>
        <translation>Árbol de &amp;cámaras</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Events and alerts</source>
        <translation>&amp;Eventos y alertas</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Overview</source>
        <translation>&amp;Resumen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Cameras</source>
        <translation>&amp;Cámaras</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Add camera…</source>
        <translation>&amp;Añadir cámara…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add cameras by URL, DVR/NVR channels, network scan or ONVIF discovery</source>
        <translation>Añadir cámaras por URL, canales de DVR/NVR, escaneo de red o descubrimiento ONVIF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only administrators can add cameras</source>
        <translation>Solo los administradores pueden añadir cámaras</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Camera &amp;settings…</source>
        <translation>A&amp;justes de cámara…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Edit the selected camera: URLs, login, recording, motion</source>
        <translation>Editar la cámara seleccionada: URL, acceso, grabación, movimiento</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only administrators can change cameras</source>
        <translation>Solo los administradores pueden cambiar cámaras</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+339"/>
        <source>Start &amp;recording</source>
        <translation>Iniciar &amp;grabación</translation>
    </message>
    <message>
        <location line="-336"/>
        <source>Record the selected camera now, until you stop it</source>
        <translation>Grabar ahora la cámara seleccionada, hasta que la detenga</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Record &amp;for</source>
        <translation>Grabar &amp;durante</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Record the selected camera now for a while; it stops by itself (Stop recording ends it early)</source>
        <translation>Grabar ahora la cámara seleccionada durante un tiempo; se detiene sola (Detener grabación la termina antes)</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minuto</numerusform>
            <numerusform>%n minutos</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Other duration…</source>
        <translation>&amp;Otra duración…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Reload camera list</source>
        <translation>&amp;Recargar la lista de cámaras</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Tools</source>
        <translation>&amp;Herramientas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Users…</source>
        <translation>&amp;Usuarios…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only administrators can manage users</source>
        <translation>Solo los administradores pueden gestionar usuarios</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Playback and export…</source>
        <translation>&amp;Reproducción y exportación…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your role cannot play back recordings</source>
        <translation>Su rol no permite reproducir grabaciones</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Edge devices…</source>
        <translation>Dispositivos &amp;edge…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only administrators can pair edge devices</source>
        <translation>Solo los administradores pueden emparejar dispositivos edge</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Configuración…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only administrators can change settings</source>
        <translation>Solo los administradores pueden cambiar la configuración</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About NVR Desktop</source>
        <translation>&amp;Acerca de NVR Desktop</translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>%n camera(s)</source>
        <translation>
            <numerusform>%n cámara</numerusform>
            <numerusform>%n cámaras</numerusform>
        </translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Showing built-in demo cameras: no camera is configured yet.</source>
        <translation>Se muestran cámaras de demostración integradas: aún no hay ninguna cámara configurada.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Page %1 of %2</source>
        <translation>Página %1 de %2</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Saved the view “%1”.</source>
        <translation>Vista «%1» guardada.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save view</source>
        <translation>Guardar vista</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of the view:</source>
        <translation>Nombre de la vista:</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No saved views</source>
        <translation>No hay vistas guardadas</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Select a camera in the tree or on the wall first.</source>
        <translation>Seleccione primero una cámara en el árbol o en el muro.</translation>
    </message>
    <message>
        <location line="+116"/>
        <source>until %1</source>
        <translation>hasta %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Recording is stopped or failing: free disk space or fix the folder.</source>
        <translation>La grabación está detenida o falla: libere espacio en disco o corrija la carpeta.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Stop &amp;recording</source>
        <translation>Detener &amp;grabación</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Disk: %1 GB free</source>
        <translation>Disco: %1 GB libres</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 days fit</source>
        <translation>caben unos %1 días</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Manual recording until %1</source>
        <translation>Grabación manual hasta %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Manual recording until you stop it</source>
        <translation>Grabación manual hasta que la detenga</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recording</source>
        <translation>Grabando</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for the camera&apos;s video</source>
        <translation>Esperando el vídeo de la cámara</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 until %2</source>
        <translation>%1 hasta %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 until you stop it</source>
        <translation>%1 hasta que la detenga</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recording %1</source>
        <translation>Grabando %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Manual recording: %n camera(s)</source>
        <translation>
            <numerusform>Grabación manual: %n cámara</numerusform>
            <numerusform>Grabación manual: %n cámaras</numerusform>
        </translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+35"/>
        <source>Select a camera tile first.</source>
        <translation>Seleccione primero el mosaico de una cámara.</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Recording until %1; Stop recording (Ctrl+R) ends it earlier.</source>
        <translation>Grabando hasta %1; Detener grabación (Ctrl+R) la termina antes.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Record for</source>
        <translation>Grabar durante</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record the selected camera for (minutes):</source>
        <translation>Grabar la cámara seleccionada durante (minutos):</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stopped recording.</source>
        <translation>Grabación detenida.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recording until you stop it.</source>
        <translation>Grabando hasta que la detenga.</translation>
    </message>
</context>
<context>
    <name>Overview</name>
    <message>
        <location filename="../../nvr_desktop/ui/overview.py" line="+65"/>
        <source>Live</source>
        <translation>En directo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting</source>
        <translation>Conectando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reconnecting</source>
        <translation>Reconectando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong password</source>
        <translation>Contraseña incorrecta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Login missing</source>
        <translation>Falta la contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unsupported codec</source>
        <translation>Códec no compatible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected</source>
        <translation>No conectada</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown</source>
        <translation>Desconocido</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Recording</source>
        <translation>Grabando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the camera</source>
        <translation>Esperando a la cámara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot write</source>
        <translation>No puede escribir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Standing by</source>
        <translation>En espera</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Off</source>
        <translation>Apagada</translation>
    </message>
</context>
<context>
    <name>OverviewPanel</name>
    <message>
        <location line="+42"/>
        <source>cameras online</source>
        <translation>cámaras en línea</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cameras offline</source>
        <translation>cámaras sin conexión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording</source>
        <translation>grabando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording problems</source>
        <translation>problemas de grabación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>detections in the last hour</source>
        <translation>detecciones en la última hora</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pending alerts</source>
        <translation>alertas pendientes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>edge devices online</source>
        <translation>dispositivos edge en línea</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>free on the recordings disk</source>
        <translation>libre en el disco de grabaciones</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Connection</source>
        <translation>Conexión</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recording</source>
        <translation>Grabando</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>%1 days fit</source>
        <translation>caben %1 días</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 detections wait in the edge devices&apos; queues.</source>
        <translation>%1 detecciones esperan en las colas de los dispositivos edge.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Footage in finished segments: %1.</source>
        <translation>Grabación en segmentos terminados: %1.</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/edge_devices.py" line="-214"/>
        <source>Pair an edge device</source>
        <translation>Emparejar un dispositivo edge</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>for example pi-front-door</source>
        <translation>por ejemplo pi-puerta-principal</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>optional, shown in lists</source>
        <translation>opcional, se muestra en las listas</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No camera</source>
        <translation>Sin cámara</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Copy token</source>
        <translation>&amp;Copiar token</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Device id:</source>
        <translation>Id del dispositivo:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name:</source>
        <translation>Nombre:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera:</source>
        <translation>Cámara:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Pair</source>
        <translation>&amp;Emparejar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Put this token in the agent&apos;s token file now. It is shown only this once: the desktop keeps it in the system keyring and never displays it again.</source>
        <translation>Ponga ahora este token en el archivo de token del agente. Solo se muestra esta vez: el escritorio lo guarda en el llavero del sistema y no vuelve a mostrarlo.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Done</source>
        <translation>Hecho</translation>
    </message>
</context>
<context>
    <name>PlaybackClock</name>
    <message>
        <location filename="../../nvr_desktop/ui/playback/clock.py" line="+105"/>
        <source>%1 s</source>
        <extracomment>Returns the current time, aware UTC (injectable for tests). (major step, minor step) in seconds, from the finest; the ruler takes the first whose labels do not collide.</extracomment>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 d</source>
        <translation>%1 d</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 d %2 h</source>
        <translation>%1 d %2 h</translation>
    </message>
</context>
<context>
    <name>PlaybackGrid</name>
    <message>
        <location filename="../../nvr_desktop/ui/playback/grid.py" line="+246"/>
        <source>No recording</source>
        <translation>Sin grabación</translation>
    </message>
</context>
<context>
    <name>PlaybackWindow</name>
    <message>
        <location filename="../../nvr_desktop/ui/playback/window.py" line="+129"/>
        <location line="+283"/>
        <location line="+81"/>
        <source>Playback</source>
        <extracomment>Playback rates offered, slowest first. Asks the user for a folder (parent, title); None when cancelled. Shows an error to the user (title, message).</extracomment>
        <translation>Reproducción</translation>
    </message>
    <message>
        <location line="-280"/>
        <source>Now</source>
        <translation>Ahora</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to the newest footage</source>
        <translation>Ir a lo más reciente</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cameras</source>
        <translation>Cámaras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to</source>
        <translation>Ir a</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show a whole day</source>
        <translation>Mostrar un día completo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type a time of that day and press Enter</source>
        <translation>Escriba una hora de ese día y pulse Intro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Previous recording</source>
        <translation>Grabación anterior</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One frame back (Left)</source>
        <translation>Un fotograma atrás (Izquierda)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+391"/>
        <source>Play (Space)</source>
        <translation>Reproducir (Espacio)</translation>
    </message>
    <message>
        <location line="-388"/>
        <source>One frame forward (Right)</source>
        <translation>Un fotograma adelante (Derecha)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next recording</source>
        <translation>Grabación siguiente</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Playback speed (+ and -)</source>
        <translation>Velocidad de reproducción (+ y -)</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+590"/>
        <location line="+14"/>
        <source>Snapshot</source>
        <translation>Captura</translation>
    </message>
    <message>
        <location line="-602"/>
        <source>Save the selected tile&apos;s picture as a JPEG</source>
        <translation>Guardar la imagen del mosaico seleccionado como JPEG</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+785"/>
        <source>Export…</source>
        <translation>Exportar…</translation>
    </message>
    <message>
        <location line="-782"/>
        <source>Export the range chosen with Shift+drag on the timeline (or the visible span) as MP4 files</source>
        <translation>Exportar como archivos MP4 el intervalo elegido con Mayús+arrastrar en la línea de tiempo (o el tramo visible)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Protect</source>
        <translation>Proteger</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Protect the recordings of the range chosen with Shift+drag (or those at the cursor) so retention never deletes them</source>
        <translation>Proteger las grabaciones del intervalo elegido con Mayús+arrastrar (o las del cursor) para que la retención nunca las borre</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Protect recordings</source>
        <translation>&amp;Proteger las grabaciones</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove protection…</source>
        <translation>&amp;Quitar la protección…</translation>
    </message>
    <message>
        <location line="+162"/>
        <source>At most %1 cameras play back together. Untick one first.</source>
        <translation>Se pueden reproducir como máximo %1 cámaras a la vez. Desmarque una primero.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 of %2 cameras selected</source>
        <translation>%1 de %2 cámaras seleccionadas</translation>
    </message>
    <message>
        <location line="+147"/>
        <source>Pause (Space)</source>
        <translation>Pausa (Espacio)</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No recording</source>
        <translation>Sin grabación</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>No later recording</source>
        <translation>No hay grabaciones posteriores</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No earlier recording</source>
        <translation>No hay grabaciones anteriores</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>No picture to save at this time</source>
        <translation>No hay imagen que guardar en este momento</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot create the folder %1: %2</source>
        <translation>No se puede crear la carpeta %1: %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot write %1</source>
        <translation>No se puede escribir %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Snapshot saved: %1</source>
        <translation>Captura guardada: %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Export to folder</source>
        <translation>Exportar a la carpeta</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>Exporting %n camera(s)…</source>
        <translation>
            <numerusform>Exportando %n cámara…</numerusform>
            <numerusform>Exportando %n cámaras…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message numerus="yes">
        <location line="+21"/>
        <source>Exported %n file(s) to %1</source>
        <translation>
            <numerusform>Se exportó %n archivo a %1</numerusform>
            <numerusform>Se exportaron %n archivos a %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export finished early</source>
        <translation>La exportación terminó antes</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 ends early, at %2: %3.</source>
        <translation>%1 termina antes, el %2: %3.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Export cancelled</source>
        <translation>Exportación cancelada</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+4"/>
        <source>Export failed</source>
        <translation>La exportación falló</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The export failed: %1</source>
        <translation>La exportación falló: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>Remove the protection of the recordings of %n camera(s) %1?</source>
        <translation>
            <numerusform>¿Quitar la protección de las grabaciones de %n cámara %1?</numerusform>
            <numerusform>¿Quitar la protección de las grabaciones de %n cámaras %1?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Retention may then delete them: footage older than a camera&apos;s limit goes within a minute.</source>
        <translation>La retención podrá borrarlas: las grabaciones más antiguas que el límite de una cámara se borran en menos de un minuto.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove protection</source>
        <translation>Quitar la protección</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Protect recordings</source>
        <translation>Proteger las grabaciones</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>at %1</source>
        <translation>a las %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>from %1 to %2</source>
        <translation>de %1 a %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No recordings there</source>
        <translation>No hay grabaciones ahí</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Protected %n recording file(s) %1.</source>
        <translation>
            <numerusform>Se protegió %n archivo de grabación %1.</numerusform>
            <numerusform>Se protegieron %n archivos de grabación %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Already protected: %n recording file(s) %1.</source>
        <translation>
            <numerusform>Ya estaba protegido: %n archivo de grabación %1.</numerusform>
            <numerusform>Ya estaban protegidos: %n archivos de grabación %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Removed the protection of %n recording file(s) %1.</source>
        <translation>
            <numerusform>Se quitó la protección de %n archivo de grabación %1.</numerusform>
            <numerusform>Se quitó la protección de %n archivos de grabación %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Not protected: %n recording file(s) %1.</source>
        <translation>
            <numerusform>No estaba protegido: %n archivo de grabación %1.</numerusform>
            <numerusform>No estaban protegidos: %n archivos de grabación %1.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export range…</source>
        <translation>Exportar intervalo…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Range chosen: %1 to %2</source>
        <translation>Intervalo elegido: %1 a %2</translation>
    </message>
</context>
<context>
    <name>ProbeView</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/probe_view.py" line="+16"/>
        <source>%1 %2x%3, %4 fps, %5</source>
        <translation>%1 %2x%3, %4 fps, %5</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no audio</source>
        <translation>sin audio</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Failed: %1</source>
        <translation>Falló: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No picture</source>
        <translation>Sin imagen</translation>
    </message>
</context>
<context>
    <name>PtzPanel</name>
    <message>
        <location filename="../../nvr_desktop/ui/wall/ptz_panel.py" line="+87"/>
        <source>PTZ</source>
        <extracomment>key -&gt; (pan, tilt, zoom) while held</extracomment>
        <translation>PTZ</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tilt up (Up arrow)</source>
        <translation>Inclinar hacia arriba (flecha arriba)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pan left (Left arrow)</source>
        <translation>Girar a la izquierda (flecha izquierda)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pan right (Right arrow)</source>
        <translation>Girar a la derecha (flecha derecha)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tilt down (Down arrow)</source>
        <translation>Inclinar hacia abajo (flecha abajo)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (+)</source>
        <translation>Acercar (+)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out (-)</source>
        <translation>Alejar (-)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Go</source>
        <translation>Ir</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>New preset name</source>
        <translation>Nombre de la nueva posición</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/settings.py" line="+38"/>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The new language is used when NVR Desktop starts again.</source>
        <translation>El nuevo idioma se usa cuando NVR Desktop se vuelve a iniciar.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Language:</source>
        <translation>Idioma:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <location filename="../../nvr_desktop/ui/events/summary.py" line="+48"/>
        <source>Last 15 minutes</source>
        <translation>Últimos 15 minutos</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last hour</source>
        <translation>Última hora</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 24 hours</source>
        <translation>Últimas 24 horas</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>Últimos 7 días</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export &amp;CSV…</source>
        <translation>Exportar &amp;CSV…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export &amp;JSON…</source>
        <translation>Exportar &amp;JSON…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Scope</source>
        <translation>Ámbito</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Detections</source>
        <translation>Detecciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Info</source>
        <translation>Información</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Warning</source>
        <translation>Advertencia</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical</source>
        <translation>Crítica</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>Pendiente</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>All</source>
        <translation>Todo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Alerts pending now: %1. Edge devices heard from: %2.</source>
        <translation>Alertas pendientes ahora: %1. Dispositivos edge que se han comunicado: %2.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Export the summary</source>
        <translation>Exportar el resumen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Could not save the summary: %1</source>
        <translation>No se pudo guardar el resumen: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved %1.</source>
        <translation>Guardado %1.</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <location filename="../../nvr_desktop/ui/playback/timeline.py" line="+97"/>
        <source>camera offline</source>
        <extracomment>Returns a small BGRA picture of a camera at a time (runs on a worker thread, never touches Qt).</extracomment>
        <translation>cámara desconectada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>disk full</source>
        <translation>disco lleno</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>storage unavailable</source>
        <translation>almacenamiento no disponible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording stopped by a user</source>
        <translation>grabación detenida por un usuario</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NVR Desktop was not running</source>
        <translation>NVR Desktop no estaba en ejecución</translation>
    </message>
</context>
<context>
    <name>TimelineWidget</name>
    <message>
        <location line="+483"/>
        <source>Tick cameras to see their recordings</source>
        <translation>Marque cámaras para ver sus grabaciones</translation>
    </message>
    <message>
        <location line="+252"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Protected: retention never deletes this footage</source>
        <translation>Protegido: la retención nunca borra estas grabaciones</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No recording: %1</source>
        <translation>Sin grabación: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>since %1</source>
        <translation>desde %1</translation>
    </message>
    <message>
        <location line="-12"/>
        <location line="+14"/>
        <source>%1 to %2 (%3)</source>
        <translation>%1 a %2 (%3)</translation>
    </message>
</context>
<context>
    <name>UsersDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/users.py" line="+40"/>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cameras</source>
        <translation>Cámaras</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>All cameras</source>
        <translation>Todas las cámaras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>None</source>
        <translation>Ninguna</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <location filename="../../nvr_desktop/ui/wall/video_wall.py" line="+655"/>
        <source>Drag a camera here</source>
        <extracomment>PTZ controls (ui/wall/ptz_panel.py) that take the arrow and +/- keys in full-size view, when any.</extracomment>
        <translation>Arrastre una cámara aquí</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reconnecting…</source>
        <translation>Reconectando…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong camera user name or password</source>
        <translation>Usuario o contraseña de la cámara incorrectos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Camera login missing: enter its password in Camera settings</source>
        <translation>Falta la contraseña de la cámara: introdúzcala en Ajustes de cámara</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unsupported video codec</source>
        <translation>Códec de vídeo no compatible</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Live</source>
        <translation>En directo</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 fps</source>
        <translation>%1 fps</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key frames</source>
        <translation>fotogramas clave</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>DEMO</source>
        <translation>DEMO</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>Full screen</source>
        <translation>Pantalla completa</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Back to the wall</source>
        <translation>Volver al mosaico</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save snapshot</source>
        <translation>Guardar captura</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear tile</source>
        <translation>Vaciar celda</translation>
    </message>
</context>
</TS>
