"""Forms of the growth plan: feedback themes, goals, progress notes, reflections."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms

from crm.forms import model_choice_field
from crm.models import JobApplication
from followups import growth
from followups.models import THEME_CHOICES, Goal, GoalProgress, Reflection

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DateInput(forms.DateInput):
    input_type = "date"


class FeedbackThemesForm(forms.Form):
    """The themes the user confirms for one piece of feedback."""

    themes = forms.MultipleChoiceField(
        choices=THEME_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What was the feedback about?",
        help_text="Tick every theme that fits; the ones we spotted in the text are pre-ticked.",
    )


class GoalForm(forms.ModelForm):
    """A SMART goal; the application list holds only the user's own applications."""

    class Meta:
        model = Goal
        fields = [
            "specific",
            "measurable",
            "achievable",
            "relevant",
            "deadline",
            "remind_days_before",
            "theme",
            "application",
        ]
        widgets = {"deadline": DateInput()}
        labels = {"theme": "Feedback theme", "application": "For the application"}

    def __init__(self, *args, owner: User, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        model_choice_field(self, "application").queryset = JobApplication.objects.filter(
            owner=owner
        ).select_related("company")
        self.fields["application"].required = False

    def clean_deadline(self) -> date:
        deadline = self.cleaned_data["deadline"]
        # An existing goal may keep a deadline that has passed; a new or moved one may not.
        if deadline < self.today and (self.instance.pk is None or "deadline" in self.changed_data):
            raise forms.ValidationError("Pick today or a later date.")
        return deadline


class GoalFromActionForm(forms.Form):
    """The one-click "make this a goal" button of a suggested action."""

    action = forms.ChoiceField(
        choices=[(a.key, a.text) for actions in growth.SUGGESTED_ACTIONS.values() for a in actions]
    )
    application = forms.ModelChoiceField(queryset=JobApplication.objects.none(), required=False)

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "application").queryset = JobApplication.objects.filter(
            owner=owner
        )

    def clean_action(self) -> growth.SuggestedAction:
        action = growth.action_by_key(self.cleaned_data["action"])
        if action is None:  # the field's choices are the known keys; belt and braces
            raise forms.ValidationError("Unknown suggestion.")
        return action


class GoalProgressForm(forms.ModelForm):
    class Meta:
        model = GoalProgress
        fields = ["on", "note"]
        widgets = {"on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        labels = {"note": "What did you do?"}

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["on"].initial = today

    def clean_on(self) -> date:
        on = self.cleaned_data["on"]
        if on > self.today:
            raise forms.ValidationError("Progress notes are about what already happened.")
        return on


class ReflectionForm(forms.ModelForm):
    """The guided questions, each an answer (yes / partly / no) and a note."""

    class Meta:
        model = Reflection
        fields = [
            *(f"{q.prefix}_{part}" for q in growth.REFLECTION_QUESTIONS
              for part in ("answer", "note")),
            "takeaway",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in growth.REFLECTION_QUESTIONS:
            prefix = question.prefix
            answer = self.fields[f"{prefix}_answer"]
            answer.label, answer.help_text = question.text, question.hint
            answer.widget = forms.RadioSelect(choices=Reflection.Answer.choices)
            note = self.fields[f"{prefix}_note"]
            note.label = "Note"
            note.widget = forms.Textarea(attrs={"rows": 2})
        self.fields["takeaway"].widget = forms.Textarea(attrs={"rows": 3})

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not any(value for value in cleaned.values()):
            raise forms.ValidationError("Answer at least one question before saving.")
        return cleaned

    def questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(answer, note) bound fields per question, for the template's layout."""
        return [
            (self[f"{q.prefix}_answer"], self[f"{q.prefix}_note"])
            for q in growth.REFLECTION_QUESTIONS
        ]
