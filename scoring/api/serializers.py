"""Output serializers of the units and their report cards (read-only: the API writes no scores)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scoring.choices import Band
from scoring.models import Assessment, Enterprise
from scoring.rules.wording import explain


class DistrictRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class EnterpriseListSerializer(serializers.ModelSerializer):
    """A unit with its band on the current scoring run (empty if the run did not score it)."""

    district = DistrictRefSerializer()
    band = serializers.ChoiceField(choices=Band.choices, source="current_band", allow_null=True, read_only=True)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, source="current_score", allow_null=True, read_only=True
    )

    class Meta:
        model = Enterprise
        fields = ["id", "udyam_number", "enterprise_name", "district", "category", "major_activity", "band", "score"]


class AssessmentSummarySerializer(serializers.ModelSerializer):
    model_version = serializers.IntegerField(source="model.version", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "as_of", "model_version", "score", "coverage", "band", "distress", "overrides", "scored_at"]


class EnterpriseDetailSerializer(serializers.ModelSerializer):
    district = DistrictRefSerializer()
    latest_assessment = serializers.SerializerMethodField()
    open_case = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "udyam_number",
            "enterprise_name",
            "gstin",
            "pan",
            "epfo_code",
            "district",
            "major_activity",
            "nic_code",
            "category",
            "date_of_commencement",
            "investment",
            "turnover",
            "employees",
            "latest_assessment",
            "open_case",
        ]

    @extend_schema_field(AssessmentSummarySerializer(allow_null=True))
    def get_latest_assessment(self, unit):
        latest = self.context.get("latest_assessment")
        return AssessmentSummarySerializer(latest).data if latest else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_open_case(self, unit):
        return self.context.get("open_case")


class IndicatorSerializer(serializers.Serializer):
    """One row of the report card: the model's indicator and what the assessment measured."""

    code = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.JSONField()
    status = serializers.CharField(allow_null=True)
    sub_score = serializers.JSONField(allow_null=True)
    values = serializers.JSONField(allow_null=True)
    explanation = serializers.CharField(allow_null=True, allow_blank=True)


class ReportCardSerializer(serializers.ModelSerializer):
    """A unit's report card (SCORING.md §4): band, score, coverage, each indicator in the model's
    order with its measured values and explanation, the distress signals and overrides."""

    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)
    model_version = serializers.IntegerField(source="model.version", read_only=True)
    model_title = serializers.CharField(source="model.title", read_only=True)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "enterprise",
            "as_of",
            "model_version",
            "model_title",
            "score",
            "coverage",
            "band",
            "indicators",
            "distress",
            "overrides",
            "scored_at",
        ]

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, assessment):
        rows = []
        for code, definition in assessment.model.definition.get("indicators", {}).items():
            stored = assessment.indicators.get(code, {})
            rows.append(
                {
                    "code": code,
                    "label": definition.get("label", code),
                    "weight": definition.get("weight"),
                    "status": stored.get("status"),
                    "sub_score": stored.get("sub_score"),
                    "values": stored.get("values"),
                    # Cards scored before the words were made at display time carry their own.
                    "explanation": stored.get("explanation")
                    or explain(definition, stored.get("status"), stored.get("values")),
                }
            )
        return IndicatorSerializer(rows, many=True).data
