//! How a trainee reaches the year's 学时 with the published courses, said in words on 选课 and
//! 我的学习. A graded trainee needs the public courses and a trade course that lists their
//! trade: its own, or the general course of its group (content/README.md, "Trades and their
//! course"). Selection refuses any other trade course, so a trade no course lists could never
//! reach 42 学时: then the page says so and whom to ask, instead of leaving the person at 30.

use crate::api::Course;
use crate::catalogue::CourseCategory;

/// The courses open to one trainee, against what the year requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathToRequirement {
    /// The trainee's trade (工种), if they gave one.
    pub trade: Option<String>,
    pub public_courses: usize,
    pub public_hours: u32,
    /// Title and 学时 of each trade course that lists the trade.
    pub trade_courses: Vec<(String, u32)>,
    pub required_hours: u32,
}

impl PathToRequirement {
    /// The path for a trainee of `trade` needing `required_hours`, from the catalogue.
    pub fn new(courses: &[Course], trade: Option<&str>, required_hours: u32) -> Self {
        let public: Vec<&Course> = courses
            .iter()
            .filter(|c| c.category == CourseCategory::Public)
            .collect();
        let trade_courses = courses
            .iter()
            .filter(|c| {
                c.category == CourseCategory::Trade
                    && trade.is_some_and(|t| c.trades.iter().any(|x| x == t))
            })
            .map(|c| (c.title.clone(), c.hours))
            .collect();
        Self {
            trade: trade.map(str::to_owned),
            public_courses: public.len(),
            public_hours: public.iter().map(|c| c.hours).sum(),
            trade_courses,
            required_hours,
        }
    }

    /// 学时 of every course the trainee may select.
    pub fn open_hours(&self) -> u32 {
        self.public_hours + self.trade_courses.iter().map(|(_, h)| h).sum::<u32>()
    }

    pub fn reachable(&self) -> bool {
        self.open_hours() >= self.required_hours
    }

    /// The path in words an older trainee understands.
    pub fn describe(&self) -> String {
        let required = self.required_hours;
        let public = format!(
            "公共知识课{}门共{}学时",
            self.public_courses, self.public_hours
        );
        let trade = match self.trade.as_deref() {
            None => "您没有登记工种，只能选公共知识课。".to_owned(),
            Some(t) if self.trade_courses.is_empty() => {
                format!("目前没有适用于您的工种（{t}）的专业理论课。")
            }
            Some(t) => {
                let titles: Vec<String> = self
                    .trade_courses
                    .iter()
                    .map(|(title, hours)| format!("《{title}》{hours}学时"))
                    .collect();
                format!("您的工种是{t}，可选的专业理论课是{}。", titles.join("、"))
            }
        };
        let open = self.open_hours();
        let how = if open < required {
            format!(
                "可选的课程最多{open}学时，不够本年度要求的{required}学时。请联系单位管理员核对您登记的工种。"
            )
        } else if self.trade_courses.is_empty() {
            format!("选够{required}学时的办法：从{public}中选够{required}学时。")
        } else if open == required {
            format!("选够{required}学时的办法：{public}，加上这门专业理论课，正好{required}学时。")
        } else {
            format!("选够{required}学时的办法：从{public}和专业理论课中选，合计达到{required}学时即可。")
        };
        format!("{trade}{how}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(title: &str, category: CourseCategory, trades: &[&str], hours: u32) -> Course {
        Course {
            id: 0,
            code: String::new(),
            title: title.into(),
            category,
            trades: trades.iter().map(|t| (*t).to_owned()).collect(),
            hours,
            description: String::new(),
            cover: String::new(),
            lessons: Vec::new(),
        }
    }

    fn catalogue() -> Vec<Course> {
        let mut all: Vec<Course> = (1..=5)
            .map(|n| course(&format!("公共{n}"), CourseCategory::Public, &[], 6))
            .collect();
        all.push(course("电工课", CourseCategory::Trade, &["电工"], 12));
        all.push(course(
            "服务岗位通用专业知识",
            CourseCategory::Trade,
            &["保洁员", "话务员"],
            12,
        ));
        all
    }

    #[test]
    fn a_trade_in_a_general_course_reaches_42_with_it() {
        let path = PathToRequirement::new(&catalogue(), Some("保洁员"), 42);
        assert_eq!(path.open_hours(), 42);
        assert!(path.reachable());
        assert_eq!(
            path.describe(),
            "您的工种是保洁员，可选的专业理论课是《服务岗位通用专业知识》12学时。\
             选够42学时的办法：公共知识课5门共30学时，加上这门专业理论课，正好42学时。"
        );
    }

    #[test]
    fn a_trade_no_course_lists_is_told_it_cannot_reach_42() {
        let path = PathToRequirement::new(&catalogue(), Some("木工"), 42);
        assert!(!path.reachable());
        assert_eq!(
            path.describe(),
            "目前没有适用于您的工种（木工）的专业理论课。\
             可选的课程最多30学时，不够本年度要求的42学时。请联系单位管理员核对您登记的工种。"
        );
    }

    #[test]
    fn an_ungraded_trainee_chooses_24_of_the_open_hours() {
        let path = PathToRequirement::new(&catalogue(), Some("电工"), 24);
        assert!(path.reachable());
        assert!(path
            .describe()
            .ends_with("从公共知识课5门共30学时和专业理论课中选，合计达到24学时即可。"));
        let none = PathToRequirement::new(&catalogue(), None, 24);
        assert_eq!(
            none.describe(),
            "您没有登记工种，只能选公共知识课。选够24学时的办法：从公共知识课5门共30学时中选够24学时。"
        );
    }
}
