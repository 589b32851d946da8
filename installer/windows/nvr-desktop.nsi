; NVR Desktop installer for Windows x64 (NSIS 3). Packs the PyInstaller bundle built on Windows (dist\nvr-desktop).
; Build (from the repository root, after the bundle; see installer/README.md):
;   makensis -WX -DVERSION=0.1.0 installer\windows\nvr-desktop.nsi
; Defines: VERSION, BUNDLE (the bundle folder), OUTFILE (the installer to write).
; Silent install: installer.exe /S [/SERVICE] [/D=C:\folder without quotes]; silent uninstall: uninstall.exe /S
; A 64-bit installer: the app is x64 only, and a 64-bit installer writes the 64-bit registry view and Program Files
; natively; it also runs under a 64-bit-only Wine (tests/integration). It needs a makensis with the amd64-unicode
; stubs and plugins: Debian's nsis has them, the official Windows build does not (installer/README.md).
Target amd64-unicode
ManifestDPIAware true

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\..\dist\nvr-desktop"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\nvr-desktop-${VERSION}-windows-x64-installer.exe"
!endif
!define APP "NVR Desktop"
!define EXE "nvr-desktop.exe"
!define REGKEY "Software\NVR Desktop"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\NVR Desktop"
; The headless service: a scheduled task run at system start as LocalSystem (nvr-desktop.exe is a console
; program, not a Windows service binary, so the service control manager could not start it).
!define TASK "NVR Desktop headless"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${REGKEY}" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "GPL-3.0-or-later"

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"

LangString SecAppName ${LANG_ENGLISH} "NVR Desktop (required)"
LangString SecAppName ${LANG_SPANISH} "NVR Desktop (obligatorio)"
LangString SecServiceName ${LANG_ENGLISH} "Headless service (records at system start, without a window)"
LangString SecServiceName ${LANG_SPANISH} "Servicio sin ventana (graba al iniciar el sistema)"
LangString DescApp ${LANG_ENGLISH} "The application, Start menu shortcuts and the uninstaller."
LangString DescApp ${LANG_SPANISH} "La aplicación, los accesos del menú Inicio y el desinstalador."
LangString DescService ${LANG_ENGLISH} "Runs nvr-desktop --headless at system start as LocalSystem, data in ProgramData\nvr-desktop."
LangString DescService ${LANG_SPANISH} "Ejecuta nvr-desktop --headless al iniciar el sistema como LocalSystem, datos en ProgramData\nvr-desktop."
LangString TaskFailed ${LANG_ENGLISH} "The headless service could not be registered (schtasks exit code"
LangString TaskFailed ${LANG_SPANISH} "No se pudo registrar el servicio sin ventana (código de salida de schtasks"

Function un.onInit
  SetRegView 64
FunctionEnd

Section "$(SecAppName)" SecApp
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\${EXE}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} self-test.lnk" "$SYSDIR\cmd.exe" '/k ""$INSTDIR\${EXE}" --self-test"'
  CreateShortcut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "NVR Desktop developers"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section /o "$(SecServiceName)" SecService
  SetShellVarContext all  ; $APPDATA is now ProgramData
  CreateDirectory "$APPDATA\nvr-desktop"
  nsExec::ExecToLog 'schtasks /Create /F /TN "${TASK}" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "\"$INSTDIR\${EXE}\" --headless --basedir \"$APPDATA\nvr-desktop\""'
  Pop $0
  ${If} $0 != 0
    MessageBox MB_ICONEXCLAMATION "$(TaskFailed) $0)." /SD IDOK
  ${Else}
    WriteRegDWORD HKLM "${REGKEY}" "HeadlessTask" 1
  ${EndIf}
SectionEnd

; After the sections, which it refers to. /SERVICE on the command line ticks the headless service, so a silent
; install can include it: installer.exe /S /SERVICE
Function .onInit
  ; A 64-bit installer cannot start on 32-bit Windows, so there is no 32-bit case to refuse here.
  SetRegView 64
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SERVICE" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecService}
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "$(DescApp)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecService} "$(DescService)"
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  SetShellVarContext all
  nsExec::ExecToLog 'schtasks /End /TN "${TASK}"'
  Pop $0
  nsExec::ExecToLog 'schtasks /Delete /F /TN "${TASK}"'
  Pop $0
  Delete "$SMPROGRAMS\${APP}\${APP}.lnk"
  Delete "$SMPROGRAMS\${APP}\${APP} self-test.lnk"
  Delete "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk"
  RMDir "$SMPROGRAMS\${APP}"
  ; Only what the installer put there: never RMDir /r on a folder the user chose.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${REGKEY}"
  ; The data folders (%LOCALAPPDATA%\nvr-desktop, %ProgramData%\nvr-desktop: database, recordings) are kept.
SectionEnd
