//! Pracownia's lecturer app: a Tauri 2 shell over `pracownia-core`. The contract with the UI is
//! docs/APP.md; everything but the window glue lives in plain modules tested without a window.

mod bindings;
pub mod blender;
pub mod class_commands;
pub mod classes;
pub mod commands;
pub mod encryption;
pub mod error;
pub mod forward;
pub mod handin;
pub mod identity;
pub mod messages;
pub mod net;
pub mod notify;
pub mod presence;
pub mod sessions;
pub mod settings;
pub mod state;

use pracownia_core::events::Event;
use state::AppState;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Emitter, Manager, RunEvent};
use tauri_plugin_notification::NotificationExt;

pub const EVENT: &str = "pracownia://event";
pub const STATUS: &str = "pracownia://status";
const DEMO_STUDENTS: usize = 5;

/// Whether the window has the focus, kept from its `Focused` events. Not asked of the window:
/// on Linux that call waits for the main thread, and while the app quits the main thread waits
/// for this forwarding thread (a SIGTERM during a chat hung the app that way).
static FOCUSED: AtomicBool = AtomicBool::new(true);

/// Forwards the receiver's events to the window, with a desktop notification for a chat or a
/// newly raised hand that arrives while the window is not focused.
pub(crate) struct TauriSink {
    app: AppHandle,
    state: AppState,
}

impl TauriSink {
    pub(crate) fn new(app: &AppHandle, state: &AppState) -> Self {
        TauriSink { app: app.clone(), state: state.clone() }
    }
}

impl forward::Sink for TauriSink {
    fn event(&mut self, ev: &Event) {
        let _ = self.app.emit(EVENT, ev);
    }

    fn attention(&mut self, ev: &Event) {
        if FOCUSED.load(Ordering::Relaxed) {
            return; // the grid's order, the header's counts and the title already say it
        }
        if let Some((title, body)) = notify::text(ev, self.state.settings().language) {
            if let Err(e) = self.app.notification().builder().title(title).body(body).show() {
                log::warn!("could not show a notification: {e}");
            }
        }
    }

    fn status(&mut self) {
        let _ = self.app.emit(STATUS, self.state.status());
    }
}

/// Let the web view load the store's images (and nothing else) through the asset protocol.
pub(crate) fn allow_store(app: &AppHandle, store: &Path) {
    if let Err(e) = app.asset_protocol_scope().allow_directory(store, true) {
        log::warn!("Could not allow {} for images: {e}", store.display());
    }
}

fn setup(app: &mut tauri::App, demo: bool) -> Result<(), Box<dyn std::error::Error>> {
    let paths = app.path();
    let config_dir = paths.app_config_dir()?;
    let default_store =
        settings::default_store(paths.document_dir().ok(), paths.data_dir().ok(), paths.home_dir().ok());
    let state = AppState::new(config_dir.join("settings.json"), &default_store);
    app.manage(state.clone());
    let handle = app.handle().clone();
    allow_store(&handle, &state.store());
    quit_on_signals(&handle);
    if demo {
        match state.start(Box::new(TauriSink::new(&handle, &state))) {
            Ok(status) => {
                allow_store(&handle, &state.store());
                let _ = handle.emit(STATUS, &status);
                if let Err(e) = state.start_demo(DEMO_STUDENTS) {
                    log::error!("demo: {}", e.message);
                }
            }
            Err(e) => log::error!("demo: {}", e.message),
        }
    }
    Ok(())
}

/// SIGTERM (logout, shutdown, `kill`) and SIGINT (Ctrl+C in a terminal) quit like closing the
/// window: `RunEvent::Exit` stops the receiver, which finishes its writes and marks open
/// transfers incomplete, instead of the process dying mid-write.
fn quit_on_signals(handle: &AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move {
            let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
                log::warn!("SIGTERM and SIGINT will end the app without stopping the receiver first");
                return;
            };
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            log::info!("{name}: stopping the receiver and quitting");
            handle.exit(0);
        });
    }
    #[cfg(not(unix))]
    let _ = handle;
}

pub fn run() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let demo = std::env::args().skip(1).any(|a| a == "--demo");
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| setup(app, demo))
        .on_window_event(|_, event| {
            if let tauri::WindowEvent::Focused(focused) = event {
                FOCUSED.store(*focused, Ordering::Relaxed);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_settings,
            commands::save_settings,
            commands::start_receiver,
            commands::stop_receiver,
            commands::receiver_status,
            commands::list_students,
            commands::timeline_page,
            commands::chat_inbox,
            commands::screenshots_at,
            commands::mark_chat_read,
            commands::mark_chat_unread,
            commands::open_in_blender,
            commands::show_in_folder,
            commands::set_blender_path,
            commands::generate_class_code,
            commands::send_reply,
            commands::announce,
            commands::request_capture,
            commands::answer_hand,
            commands::collect_work,
            commands::export_student,
            commands::reveal_output,
            commands::erase_preview,
            commands::erase_student,
            commands::list_sessions,
            commands::session_attendance,
            commands::save_attendance,
            commands::reset_pin,
            commands::merge_students,
            commands::split_student,
            class_commands::list_classes,
            class_commands::create_class,
            class_commands::switch_class,
            class_commands::get_retention,
            class_commands::save_retention,
            class_commands::thin_preview,
            class_commands::thin_now,
            class_commands::class_usage,
        ])
        .build(tauri::generate_context!())
        .expect("the app could not start");
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            if let Some(state) = app.try_state::<AppState>() {
                state.shutdown();
            }
        }
    });
}
