//! The Tauri commands: each a few lines over [`AppState`]. Names and arguments are the contract in
//! docs/APP.md; arguments are snake_case, as the UI sends them.

use crate::error::{AppError, ErrorKind};
use crate::handin::{self, CollectSummary, HandinProgress};
use crate::messages::MessageSent;
use crate::presence::StudentTile;
use crate::settings::{self, Settings};
use crate::state::{AppState, ReceiverStatus};
use crate::{allow_store, blender, sessions, TauriSink};
use pracownia_core::index::sessions::{Attendance, Session};
use pracownia_core::model::{FileKind, HandState, TimelineEntry};
use tauri::{AppHandle, Emitter, State};

type R<T> = Result<T, AppError>;

#[tauri::command(rename_all = "snake_case")]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_settings(app: AppHandle, state: State<'_, AppState>, settings: Settings) -> R<Settings> {
    let saved = state.save_settings(settings)?;
    allow_store(&app, &state.store());
    Ok(saved)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn start_receiver(app: AppHandle, state: State<'_, AppState>) -> R<ReceiverStatus> {
    let status = state.start(Box::new(TauriSink::new(&app, &state)))?;
    allow_store(&app, &state.store());
    let _ = app.emit(crate::STATUS, &status);
    Ok(status)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn stop_receiver(app: AppHandle, state: State<'_, AppState>) -> R<ReceiverStatus> {
    let status = state.stop();
    let _ = app.emit(crate::STATUS, &status);
    Ok(status)
}

#[tauri::command(rename_all = "snake_case")]
pub fn receiver_status(state: State<'_, AppState>) -> ReceiverStatus {
    state.status()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_students(state: State<'_, AppState>) -> R<Vec<StudentTile>> {
    state.list_students()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_page(
    state: State<'_, AppState>,
    student: String,
    before_id: Option<i64>,
    limit: u32,
    from: Option<i64>,
    until: Option<i64>,
) -> R<Vec<TimelineEntry>> {
    // Both or neither: a past session's entries (Unix ms, inclusive), else the whole timeline.
    let span = from.zip(until);
    state.timeline_page(&student, before_id, limit, span)
}

/// What the whole class had on screen at `at` (Unix ms): each student's newest screenshot then.
#[tauri::command(rename_all = "snake_case")]
pub async fn screenshots_at(state: State<'_, AppState>, at: i64) -> R<Vec<TimelineEntry>> {
    state.screenshots_at(at)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn chat_inbox(state: State<'_, AppState>, before_id: Option<i64>, limit: u32) -> R<Vec<TimelineEntry>> {
    state.chat_inbox(before_id, limit)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mark_chat_read(state: State<'_, AppState>, student: String) -> R<()> {
    state.mark_chat_read(&student)
}

/// The student's newest chat counts as unread again; returns when it was stored (null: no chat).
#[tauri::command(rename_all = "snake_case")]
pub async fn mark_chat_unread(state: State<'_, AppState>, student: String) -> R<Option<i64>> {
    state.mark_chat_unread(&student)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_in_blender(
    state: State<'_, AppState>,
    path: String,
    login: Option<String>,
    at: Option<i64>,
) -> R<()> {
    let blender_path = state.settings().blender_path;
    let named = login.as_deref().zip(at);
    blender::open_in_blender(&state.store(), &path, blender_path.as_deref(), named).map(|_| ())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn show_in_folder(state: State<'_, AppState>, path: String) -> R<()> {
    blender::show_in_folder(&state.store(), &path)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_blender_path(state: State<'_, AppState>, path: String) -> R<Settings> {
    state.set_blender_path(&path)
}

#[tauri::command(rename_all = "snake_case")]
pub fn generate_class_code() -> String {
    settings::generate_class_code()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn send_reply(state: State<'_, AppState>, student: String, text: String) -> R<MessageSent> {
    state.send_reply(&student, &text)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn announce(state: State<'_, AppState>, text: String) -> R<MessageSent> {
    state.announce(&text)
}

/// `student: null` asks everyone.
#[tauri::command(rename_all = "snake_case")]
pub async fn request_capture(state: State<'_, AppState>, student: Option<String>, what: FileKind) -> R<MessageSent> {
    state.request_capture(student.as_deref(), what)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn answer_hand(app_state: State<'_, AppState>, student: String, state: HandState) -> R<MessageSent> {
    app_state.answer_hand(&student, state)
}

/// Collect every student's latest verified .blend (at `at`, Unix ms; None: now) into a new or
/// empty folder, or a new zip; progress comes as `pracownia://handin-progress` events.
#[tauri::command(rename_all = "snake_case")]
pub async fn collect_work(
    app: AppHandle,
    state: State<'_, AppState>,
    out: String,
    zip: bool,
    at: Option<i64>,
) -> R<CollectSummary> {
    let store = state.store();
    blocking(move || {
        handin::collect(&store, std::path::Path::new(&out), zip, at, &mut |p| {
            let _ = app.emit(handin::PROGRESS, HandinProgress::from(p));
        })
    })
    .await
}

/// Everything of one student as a new zip; returns its path.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_student(app: AppHandle, state: State<'_, AppState>, student: String, out: String) -> R<String> {
    let store = state.store();
    let id = student_id(&student)?;
    blocking(move || {
        handin::export(&store, id, std::path::Path::new(&out), &mut |p| {
            let _ = app.emit(handin::PROGRESS, HandinProgress::from(p));
        })
    })
    .await
}

/// Show a folder or zip that collect or export wrote (and nothing else) in the file manager.
#[tauri::command(rename_all = "snake_case")]
pub async fn reveal_output(path: String) -> R<()> {
    let p = std::path::PathBuf::from(&path);
    if !handin::was_written(&p) {
        return Err(AppError::new(ErrorKind::NotOurs, "That is not something Pracownia wrote.").with("path", &path));
    }
    let (program, args) = blender::opener_command(blender::Os::current(), &p);
    blender::spawn_detached(std::path::Path::new(&program), &args)
}

/// What erasing a student would delete (the receiver must be stopped: `running` otherwise).
#[tauri::command(rename_all = "snake_case")]
pub async fn erase_preview(state: State<'_, AppState>, student: String) -> R<handin::ErasePreview> {
    let (store, running, id) = (state.store(), state.status().running, student_id(&student)?);
    blocking(move || handin::erase_preview(&store, running, id)).await
}

/// Erase everything of one student, for good (the receiver must be stopped).
#[tauri::command(rename_all = "snake_case")]
pub async fn erase_student(state: State<'_, AppState>, student: String) -> R<handin::ErasePreview> {
    let (store, running, id) = (state.store(), state.status().running, student_id(&student)?);
    blocking(move || handin::erase(&store, running, id)).await
}

/// Merge the student `from` into `into` (the receiver must be stopped).
#[tauri::command(rename_all = "snake_case")]
pub async fn merge_students(state: State<'_, AppState>, into: String, from: String) -> R<crate::identity::RegroupDone> {
    let (store, running) = (state.store(), state.status().running);
    let (into, from) = (student_id(&into)?, student_id(&from)?);
    blocking(move || crate::identity::merge(&store, running, into, from)).await
}

/// Split the seat `seat` (a wire id) off `student` (the receiver must be stopped).
#[tauri::command(rename_all = "snake_case")]
pub async fn split_student(
    state: State<'_, AppState>,
    student: String,
    seat: String,
) -> R<crate::identity::RegroupDone> {
    let (store, running) = (state.store(), state.status().running);
    let (student, seat) = (student_id(&student)?, student_id(&seat)?);
    blocking(move || crate::identity::split(&store, running, student, seat)).await
}

fn student_id(s: &str) -> R<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::new(ErrorKind::BadStudentId, "Not a student id."))
}

/// Long file work off the async runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> R<T> + Send + 'static) -> R<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        AppError::new(ErrorKind::ExportFailed, format!("The copy stopped unexpectedly: {e}.")).with("path", "")
    })?
}

/// The class's sessions (lab meetings), oldest first.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_sessions(state: State<'_, AppState>) -> R<Vec<Session>> {
    sessions::list(&state)
}

/// Who was present in session `number` (1-based).
#[tauri::command(rename_all = "snake_case")]
pub async fn session_attendance(state: State<'_, AppState>, number: u32) -> R<Vec<Attendance>> {
    sessions::attendance(&state, number)
}

/// Save session `number`'s attendance as CSV at `out` (chosen in a save dialog).
#[tauri::command(rename_all = "snake_case")]
pub async fn save_attendance(state: State<'_, AppState>, number: u32, out: String) -> R<String> {
    sessions::save_csv(&state, number, std::path::Path::new(&out))
}

/// Forget the key pinned for a student (they reinstalled the add-on); true when there was one.
#[tauri::command(rename_all = "snake_case")]
pub async fn reset_pin(state: State<'_, AppState>, student: String) -> R<bool> {
    state.reset_pin(&student)
}
