//! A ballot as submitted: one `q_{question}` field per question holding the
//! chosen choice's id, and on a paper ballot the voter's employee number.
//! The field names carry the question ids, so the form is read from its
//! pairs once, here.

/// What a ballot form said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BallotForm {
    /// (question, choice) for each answer given, in the form's order.
    pub answers: Vec<(i64, i64)>,
    /// The voter's employee number (paper ballots only), trimmed.
    pub employee_number: String,
}

impl BallotForm {
    /// Reads the pairs; a field that is not a numbered answer is no answer.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            if key == "employee_number" {
                value.trim().clone_into(&mut form.employee_number);
            } else if let Some(answer) = key
                .strip_prefix("q_")
                .and_then(|q| Some((q.parse().ok()?, value.parse().ok()?)))
            {
                form.answers.push(answer);
            }
        }
        form
    }
}

#[cfg(test)]
mod tests {
    use super::BallotForm;

    #[test]
    fn answers_are_read_by_question_and_the_rest_is_left() {
        let pairs = [
            ("csrf_token", "x"),
            ("q_7", "21"),
            ("employee_number", " V00001 "),
            ("q_8", "not a choice"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let form = BallotForm::from_pairs(&pairs);
        assert_eq!(form.answers, [(7, 21)]);
        assert_eq!(form.employee_number, "V00001");
    }
}
