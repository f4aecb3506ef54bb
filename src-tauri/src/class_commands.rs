//! The Tauri commands of classes (docs/APP.md, "Classes"): each a few lines over [`AppState`].

use crate::allow_store;
use crate::classes::{ClassInfo, RetentionSettings};
use crate::error::AppError;
use crate::settings::Settings;
use crate::state::{AppState, ClassUsage, ThinSummary};
use tauri::{AppHandle, Emitter, State};

type R<T> = Result<T, AppError>;

#[tauri::command(rename_all = "snake_case")]
pub fn list_classes(state: State<'_, AppState>) -> Vec<ClassInfo> {
    state.list_classes()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_class(state: State<'_, AppState>, name: String) -> R<ClassInfo> {
    state.create_class(&name)
}

/// Stops a receiver running for another class; the UI has asked the lecturer first.
#[tauri::command(rename_all = "snake_case")]
pub async fn switch_class(app: AppHandle, state: State<'_, AppState>, folder: String) -> R<Settings> {
    let settings = state.switch_class(&folder)?;
    allow_store(&app, &state.store());
    let _ = app.emit(crate::STATUS, state.status());
    Ok(settings)
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_retention(state: State<'_, AppState>) -> RetentionSettings {
    state.retention()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_retention(state: State<'_, AppState>, retention: RetentionSettings) -> R<RetentionSettings> {
    state.save_retention(retention)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn thin_preview(state: State<'_, AppState>) -> R<ThinSummary> {
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || state.thin_preview()).await.map_err(crate::error::joined)?
}

#[tauri::command(rename_all = "snake_case")]
pub async fn thin_now(state: State<'_, AppState>) -> R<ThinSummary> {
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || state.thin_now()).await.map_err(crate::error::joined)?
}

#[tauri::command(rename_all = "snake_case")]
pub async fn class_usage(state: State<'_, AppState>) -> R<Vec<ClassUsage>> {
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || state.class_usage()).await.map_err(crate::error::joined)
}
