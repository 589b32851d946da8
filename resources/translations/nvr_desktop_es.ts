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
    <name>CameraTreeModel</name>
    <message>
        <location filename="../../nvr_desktop/ui/models/camera_tree.py" line="+49"/>
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
        <location line="+7"/>
        <source>All cameras</source>
        <translation>Todas las cámaras</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Enabled</source>
        <translation>Activada</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disabled</source>
        <translation>Desactivada</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Camera %1 — drag it onto a wall tile</source>
        <translation>Cámara %1: arrástrela a un recuadro del muro</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../nvr_desktop/ui/dialogs/first_run.py" line="+41"/>
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
        <location line="+5"/>
        <source>Create account</source>
        <translation>Crear cuenta</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location line="+22"/>
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
        <location filename="../../nvr_desktop/ui/dialogs/login.py" line="+37"/>
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
        <location line="+4"/>
        <source>Log in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location line="+22"/>
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
        <location filename="../../nvr_desktop/ui/main_window.py" line="+114"/>
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
        <source>Logged in as %1 (%2)</source>
        <translation>Sesión iniciada como %1 (%2)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location line="+1"/>
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
        <source>&amp;Cameras</source>
        <translation>&amp;Cámaras</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Add camera…</source>
        <translation>&amp;Añadir cámara…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Coming with the camera wizard</source>
        <translation>Llegará con el asistente de cámaras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only administrators can add cameras</source>
        <translation>Solo los administradores pueden añadir cámaras</translation>
    </message>
    <message>
        <location line="+5"/>
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
        <location line="+19"/>
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
        <location filename="../../nvr_desktop/ui/wall/video_wall.py" line="+462"/>
        <source>Drag a camera here</source>
        <translation>Arrastre una cámara aquí</translation>
    </message>
    <message>
        <location line="+21"/>
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
        <location line="+35"/>
        <source>%1 fps</source>
        <translation>%1 fps</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key frames</source>
        <translation>fotogramas clave</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>DEMO</source>
        <translation>DEMO</translation>
    </message>
    <message>
        <location line="+95"/>
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
