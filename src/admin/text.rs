//! The admin app's own strings, kept out of `crate::i18n` so that they are not in the
//! trainee's bundle.

/// Brand line beside the app name.
pub const SUBTITLE: &str = "管理后台";
/// Label of the admin navigation landmark.
pub const NAV_LABEL: &str = "管理功能";
/// First navigation entry.
pub const NAV_HOME: &str = "后台首页";
/// Link back to the trainee site.
pub const TO_SITE: &str = "返回学习平台";
/// Shown to a trainee who opened an admin address.
pub const ADMINS_ONLY: &str = "此页面仅供管理员使用。";
/// Shown to someone signed out, while the browser goes to the sign-in page.
pub const SIGN_IN_FIRST: &str = "请先登录。正在前往登录页……";
/// The home page's heading of the tool list.
pub const YOUR_TOOLS: &str = "您可以使用的功能";
/// When a role has no tool yet.
pub const NO_TOOLS: &str = "您的账号暂无可用的管理功能。";
