//! What the lecturer tells students (protocol 1.1): replies, announcements, capture requests and
//! answers to raised hands. Each is one `LecturerCommand` through the running receiver; the UI
//! follows delivery through the `message_queued` / `message_delivery` events.

use crate::error::{AppError, ErrorKind};
use crate::state::AppState;
use pracownia_core::model::{FileKind, HandState};
use pracownia_core::receiver::{Addressee, CommandOutcome, LecturerCommand};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What became of a lecturer message: its id (shared by all recipients), how many students it was
/// queued for and how many of them were online (sent at once; the others get it when they return).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageSent {
    pub id: String,
    pub recipients: u32,
    pub online: u32,
}

impl From<CommandOutcome> for MessageSent {
    fn from(o: CommandOutcome) -> Self {
        MessageSent { id: o.id.to_string(), recipients: o.queued.len() as u32, online: o.online as u32 }
    }
}

fn student_arg(student: &str) -> Result<String, AppError> {
    let s = student.trim();
    if s.is_empty() {
        return Err(AppError::new(ErrorKind::NoStudentChosen, "Choose a student first."));
    }
    Ok(s.to_owned())
}

impl AppState {
    /// A chat reply to one student (an id or a login).
    pub fn send_reply(&self, student: &str, text: &str) -> Result<MessageSent, AppError> {
        let to = student_arg(student)?;
        Ok(self.command(LecturerCommand::Say { to, text: text.to_owned() })?.into())
    }

    /// An announcement to every student the store knows.
    pub fn announce(&self, text: &str) -> Result<MessageSent, AppError> {
        Ok(self.command(LecturerCommand::Announce { text: text.to_owned() })?.into())
    }

    /// Ask one student (or everyone, `None`) for a screenshot or a .blend now.
    pub fn request_capture(&self, student: Option<&str>, what: FileKind) -> Result<MessageSent, AppError> {
        let to = match student {
            Some(s) => Addressee::One(student_arg(s)?),
            None => Addressee::All,
        };
        Ok(self.command(LecturerCommand::Request { to, what })?.into())
    }

    /// Acknowledge or lower a student's raised hand.
    pub fn answer_hand(&self, student: &str, state: HandState) -> Result<MessageSent, AppError> {
        let to = student_arg(student)?;
        Ok(self.command(LecturerCommand::Hand { to, state })?.into())
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::forward::Sink;
    use crate::settings::Settings;
    use crate::state::AppState;
    use pracownia_core::events::Event;
    use pracownia_core::model::{FileKind, HandState};

    struct Nothing;
    impl Sink for Nothing {
        fn event(&mut self, _: &Event) {}
        fn status(&mut self) {}
    }

    #[test]
    fn stopped_empty_and_unknown_are_plain_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let settings = Settings { port: 0, ..Settings::defaults(&tmp.path().join("store")) };
        let st = AppState::with_settings(tmp.path().join("cfg/settings.json"), settings);
        let e = st.send_reply("anna", "hello").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotRunning, "{e:?}");
        assert_eq!(st.announce("hi").unwrap_err().kind, ErrorKind::NotRunning);

        st.start(Box::new(Nothing)).unwrap();
        assert_eq!(st.send_reply("nobody", "hello").unwrap_err().kind, ErrorKind::UnknownStudent);
        assert_eq!(st.send_reply("", "hello").unwrap_err().kind, ErrorKind::NoStudentChosen);
        assert_eq!(st.announce("hi").unwrap_err().kind, ErrorKind::NoStudents);
        assert_eq!(st.request_capture(None, FileKind::Screenshot).unwrap_err().kind, ErrorKind::NoStudents);
        assert_eq!(st.answer_hand("nobody", HandState::Acknowledged).unwrap_err().kind, ErrorKind::UnknownStudent);
        st.stop();
    }
}
