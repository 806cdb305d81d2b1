//! Where sound can go: whether this is an SSH session and whether an audio
//! server or device is reachable from here. Pure over an environment and a
//! file-system view, so tests control both.

use std::path::{Path, PathBuf};

/// `SSH_CONNECTION` is "client_ip client_port server_ip server_port".
pub fn ssh_client(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if let Some(c) = set("SSH_CONNECTION") {
        return Some(c.split_whitespace().next().unwrap_or("?").to_string());
    }
    if let Some(c) = set("SSH_CLIENT") {
        return Some(c.split_whitespace().next().unwrap_or("?").to_string());
    }
    set("SSH_TTY").map(|_| "?".to_string())
}

/// Where sound would play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audio {
    /// `PULSE_SERVER` names a server (possibly a forwarded one).
    PulseServer(String),
    /// A PulseAudio or PipeWire socket in the runtime directory.
    Socket(PathBuf),
    /// ALSA playback devices, and no sound server.
    Alsa(Vec<String>),
    /// Nothing: sound would go nowhere.
    None,
}

impl Audio {
    pub fn reachable(&self) -> bool {
        !matches!(self, Audio::None)
    }
}

/// Finds the audio route. `exists` and `alsa` stand for the file system
/// (`/dev/snd` playback devices) so tests can describe a machine.
pub fn detect_audio(
    env: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&Path) -> bool,
    alsa: &dyn Fn() -> Vec<String>,
) -> Audio {
    if let Some(s) = env("PULSE_SERVER").filter(|s| !s.trim().is_empty()) {
        return Audio::PulseServer(s);
    }
    if let Some(dir) = env("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        for p in [dir.join("pulse/native"), dir.join("pipewire-0")] {
            if exists(&p) {
                return Audio::Socket(p);
            }
        }
    }
    let devices = alsa();
    if devices.is_empty() {
        Audio::None
    } else {
        Audio::Alsa(devices)
    }
}

/// ALSA playback devices (`/dev/snd/pcmC*D*p`; `TAKES_SND_DIR` stands in
/// for `/dev/snd` so tests can describe a machine without sound).
pub fn alsa_playback_devices() -> Vec<String> {
    let dir = std::env::var("TAKES_SND_DIR").unwrap_or_else(|_| "/dev/snd".into());
    let Ok(dir) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = dir
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pcmC") && n.ends_with('p'))
        .collect();
    v.sort();
    v
}

/// This process's audio route.
pub fn audio_here() -> Audio {
    detect_audio(
        &|k| std::env::var(k).ok(),
        &|p| p.exists(),
        &alsa_playback_devices,
    )
}

/// This process's SSH client address, if over SSH.
pub fn ssh_here() -> Option<String> {
    ssh_client(&|k| std::env::var(k).ok())
}

/// One line on where sound goes.
pub fn describe_audio(a: &Audio, ssh: bool) -> String {
    let place = if ssh { " on the remote host" } else { "" };
    match a {
        Audio::PulseServer(s) => format!("sound goes to PULSE_SERVER={s}"),
        Audio::Socket(p) => format!("sound goes to the server at {}{place}", p.display()),
        Audio::Alsa(d) => format!("sound goes to ALSA device {}{place}", d.join(", ")),
        Audio::None => "no audio device or sound server reachable: sound cannot play; \
                        review with captions"
            .to_string(),
    }
}

/// The lines that tell how to hear sound over SSH (also in the README,
/// "Reviewing over SSH").
pub const FORWARD_HINT: &str = "to hear sound over SSH, forward your laptop's PulseAudio/PipeWire: \
on the laptop `pactl load-module module-native-protocol-tcp listen=127.0.0.1 port=4713 auth-anonymous=1`, \
connect with `ssh -R 4713:127.0.0.1:4713 HOST`, and start `PULSE_SERVER=tcp:127.0.0.1:4713 takes` \
(or forward the socket: `ssh -R /tmp/pulse-$USER:$XDG_RUNTIME_DIR/pulse/native HOST` and \
`PULSE_SERVER=unix:/tmp/pulse-$USER takes`)";

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn ssh_is_seen_from_the_environment() {
        let e = env(&[("SSH_CONNECTION", "10.99.0.1 50122 10.99.0.2 22")]);
        assert_eq!(ssh_client(&e), Some("10.99.0.1".into()));
        assert_eq!(
            ssh_client(&env(&[("SSH_TTY", "/dev/pts/3")])),
            Some("?".into())
        );
        assert_eq!(ssh_client(&env(&[("SSH_CONNECTION", " ")])), None);
        assert_eq!(ssh_client(&env(&[])), None);
    }

    #[test]
    fn audio_routes_in_order_of_preference() {
        let none = |_: &Path| false;
        let no_alsa = Vec::new;
        let e = env(&[
            ("PULSE_SERVER", "tcp:127.0.0.1:4713"),
            ("XDG_RUNTIME_DIR", "/run/user/1"),
        ]);
        assert_eq!(
            detect_audio(&e, &|_| true, &no_alsa),
            Audio::PulseServer("tcp:127.0.0.1:4713".into())
        );
        let e = env(&[("XDG_RUNTIME_DIR", "/run/user/1")]);
        let pw = |p: &Path| p == Path::new("/run/user/1/pipewire-0");
        assert_eq!(
            detect_audio(&e, &pw, &no_alsa),
            Audio::Socket("/run/user/1/pipewire-0".into())
        );
        let alsa = || vec!["pcmC0D0p".to_string()];
        assert_eq!(
            detect_audio(&e, &none, &alsa),
            Audio::Alsa(vec!["pcmC0D0p".into()])
        );
        let a = detect_audio(&e, &none, &no_alsa);
        assert_eq!(a, Audio::None);
        assert!(!a.reachable());
        assert!(describe_audio(&a, true).contains("review with captions"));
    }
}
